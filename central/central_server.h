/*
 * central_server.h — what every request of `serve` shares: central's folder, the certificate
 * signer (central_issuer.h) and one store connection per server thread.
 *
 * A central_store is one connection and must not be shared between threads, and
 * libmicrohttpd answers on a pool of threads: each thread opens its own connection at its
 * first request that needs the store (through DIR/store.conf, central_store_open_dir) and
 * keeps it; a pthread key closes it when the thread ends (MHD_stop_daemon). A connection that
 * failed (PostgreSQL restarted, say) is dropped so the thread's next request opens a new one.
 */
#ifndef AGENDA_CENTRAL_SERVER_H
#define AGENDA_CENTRAL_SERVER_H

#include <pthread.h>
#include <stdbool.h>

#include "central_issuer.h"
#include "central_sync.h"
#include "store.h"

struct central_server {
	const char *dir;
	struct central_issuer issuer;
	pthread_key_t store_key;
	bool store_key_made;
	struct central_sync_config sync; /* leases of grants (serve --lease-seconds ...) */
};

/* The issuer must be open already; makes the thread key. */
agenda_err central_server_init(struct central_server *srv, const char *dir, agenda_detail *why);
/* Safe after a failed or no init. */
void central_server_fini(struct central_server *srv);

/* This thread's store connection, opened now if needed; NULL with why on failure. */
central_store *central_server_store(struct central_server *srv, agenda_detail *why);

/*
 * After a store error: says why on stderr (the store's own words: no personal data) and drops
 * this thread's connection when the error says it is broken.
 */
void central_server_store_failed(struct central_server *srv, agenda_err err,
                                 const agenda_detail *why);

#endif
