/*
 * central_server.c — per-thread store connections of `serve` (central_server.h).
 */
#include "central_server.h"

#include <stdio.h>

#include "central_store_dir.h"
#include "core/messages.h"

static void close_store(void *store)
{
	central_store_close(store);
}

agenda_err central_server_init(struct central_server *srv, const char *dir, agenda_detail *why)
{
	srv->dir = dir;
	if (pthread_key_create(&srv->store_key, close_store) != 0) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	srv->store_key_made = true;
	return AG_OK;
}

void central_server_fini(struct central_server *srv)
{
	if (!srv->store_key_made)
		return;
	/* the server's threads have ended (and closed theirs); this is the calling thread's */
	central_store_close(pthread_getspecific(srv->store_key));
	pthread_setspecific(srv->store_key, NULL);
	pthread_key_delete(srv->store_key);
	srv->store_key_made = false;
}

central_store *central_server_store(struct central_server *srv, agenda_detail *why)
{
	central_store *s = pthread_getspecific(srv->store_key);

	if (s)
		return s;
	if (central_store_open_dir(srv->dir, &s, why) != AG_OK)
		return NULL;
	if (pthread_setspecific(srv->store_key, s) != 0) {
		central_store_close(s);
		agenda_detail_set(why, MSG_NOMEM);
		return NULL;
	}
	return s;
}

void central_server_store_failed(struct central_server *srv, agenda_err err,
                                 const agenda_detail *why)
{
	central_store *s = pthread_getspecific(srv->store_key);

	fprintf(stderr, "agenda-central serve: %s: %s\n", agenda_err_name(err),
	        why && why->en[0] ? why->en : "-");

	/* a broken connection (IO) or one left in an unknown state: start afresh next time */
	if (s && (err == AG_ERR_IO || err == AG_ERR_STORE || err == AG_ERR_NOMEM)) {
		pthread_setspecific(srv->store_key, NULL);
		central_store_close(s);
	}
}
