/*
 * ctl_audit.c — `agendactl audit verify`: recompute the audit hash chain and say where it breaks.
 *
 * An intact chain exits 0; a broken one (a record edited, deleted, inserted or reordered, or the
 * tail cut off) exits 11 like any other damaged database, naming the first bad record. No
 * log-in: the audit holds ids, never applicants' names (invariant I7).
 */
#include <stdio.h>

#include "ctl/ctl.h"
#include "services/audit.h"

static const char *problem_id(enum audit_problem p)
{
	switch (p) {
	case AUDIT_HASH_MISMATCH:
		return "hash_mismatch";
	case AUDIT_BROKEN_LINK:
		return "broken_link";
	case AUDIT_GAP:
		return "gap";
	case AUDIT_TRUNCATED:
		return "truncated";
	default:
		return "intact";
	}
}

int ctl_audit_verify(struct ctl *c, int argc, char **argv)
{
	struct audit_report rep = {0};
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);
	agenda_err err;
	json_t *obj;

	if (status != EXIT_OK || (status = ctl_open(c, false)))
		return status;
	err = audit_verify(&c->ctx, &rep, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	obj = json_pack("{s:I, s:b, s:s, s:o}", "records", (json_int_t)rep.records, "intact",
	                rep.problem == AUDIT_INTACT, "problem", problem_id(rep.problem),
	                "first_bad",
	                rep.problem == AUDIT_INTACT ? json_null() : json_integer(rep.first_bad));
	if (rep.problem == AUDIT_INTACT) {
		if (c->json)
			ctl_emit(obj);
		else {
			json_decref(obj);
			ctl_say(c, MSG_CTL_AUDIT_OK, (long long)rep.records);
		}
		return EXIT_OK;
	}
	agenda_detail_set(&why, MSG_CTL_AUDIT_BROKEN, (long long)rep.first_bad,
	                  audit_problem_text(rep.problem, LANG_IT), (long long)rep.records);
	/* The English half names the problem in English. */
	snprintf(why.en, sizeof why.en, msg_get(MSG_CTL_AUDIT_BROKEN, LANG_EN),
	         (long long)rep.first_bad, audit_problem_text(rep.problem, LANG_EN),
	         (long long)rep.records);
	return ctl_fail_with(c, AG_ERR_CORRUPT, &why, obj);
}
