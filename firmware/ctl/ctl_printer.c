/*
 * ctl_printer.c — the printer from the shell: list the USB printers, ask one its status, print
 * a test slip (no personal data: a tecnico's command), print or reprint an appointment's
 * convocation slip, and show the reprint queue.
 *
 * Printing goes through the same print queue as the kiosk (a worker thread owns the printer);
 * agendactl waits for the job and records the outcome on the appointment. A printer fault never
 * touches the booking: the command says what to do and exits 13, and the appointment waits in
 * the reprint queue. The printer is --printer URI, else $AGENDA_PRINTER, else the device's
 * "printer_uri" setting, else "usb" (see drivers/printer/printer.h for URIs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "printer/print_queue.h"
#include "printer/profile.h"
#include "services/convocation.h"

#define OPTS(a)             (sizeof(a) / sizeof((a)[0]))
#define CTL_ENV_PRINTER     "AGENDA_PRINTER"
#define PRINT_WAIT_EXTRA_MS 15000

/* Which printer and profile: --printer/--profile, else the environment and settings. */
struct printer_choice {
	char uri[PRINTER_URI_MAX];
	const printer_profile *profile;
};

static int choose_printer(struct ctl *c, const struct ctl_opt *uri_opt,
                          const struct ctl_opt *profile_opt, struct printer_choice *out)
{
	const char *env = getenv(CTL_ENV_PRINTER), *uri = "usb";
	char stored[PRINTER_URI_MAX + 1]; /* one more: a longer setting stays too long */
	char setting[64] = "";

	if (uri_opt->value && *uri_opt->value)
		uri = uri_opt->value;
	else if (env && *env)
		uri = env;
	else if (c->ctx_open &&
	         store_setting_get(c->ctx.store, "printer_uri", stored, sizeof stored))
		uri = stored;
	/* Refused here, whole: a mistyped URI is a usage error, not "printer not found". */
	if (printer_uri_check(uri, NULL) != AG_OK)
		return ctl_usage(c, MSG_PRINTER_BAD_TARGET, uri);
	memcpy(out->uri, uri, strlen(uri) + 1); /* checked: shorter than PRINTER_URI_MAX */
	if (profile_opt->value && *profile_opt->value)
		snprintf(setting, sizeof setting, "%s", profile_opt->value);
	else if (c->ctx_open)
		store_setting_get(c->ctx.store, "printer_profile", setting, sizeof setting);
	out->profile = setting[0] ? printer_profile_find(setting) : printer_guess_profile(out->uri);
	if (!out->profile)
		return ctl_usage(c, MSG_CTL_PRINTER_BAD_PROFILE, setting);
	return EXIT_OK;
}

/* Opens the database only when there is one: its settings may name the printer. */
static int open_if_present(struct ctl *c)
{
	return access(c->db_path, F_OK) == 0 ? ctl_open(c, false) : EXIT_OK;
}

/* A printer fault: what to do, exit 13; with an appointment, it stays confirmed. */
static int printer_failed(struct ctl *c, printer_fault fault, const char *appointment_id)
{
	json_t *extra = json_pack("{s:s}", "fault", printer_fault_name(fault));
	agenda_detail words, d;

	printer_fault_detail(fault, &words);
	d = words;
	if (appointment_id) {
		snprintf(d.it, sizeof d.it, msg_get(MSG_CTL_PRINT_FAILED_KEPT, LANG_IT), words.it,
		         appointment_id, appointment_id);
		snprintf(d.en, sizeof d.en, msg_get(MSG_CTL_PRINT_FAILED_KEPT, LANG_EN), words.en,
		         appointment_id, appointment_id);
		json_object_set_new(extra, "appointment_id", json_string(appointment_id));
		json_object_set_new(extra, "booking_kept", json_true());
	}
	return ctl_fail_code(c, "printer", EXIT_PRINTER, &d, extra);
}

/* Queues the slip on a fresh print queue and waits for the job; PRINTER_OK when printed. */
static printer_fault print_and_wait(const struct printer_choice *pc, const slip *s,
                                    print_job_info *info)
{
	print_queue_config cfg = {.uri = pc->uri, .profile = pc->profile};
	print_queue *q;
	uint64_t id;
	printer_fault fault;

	memset(info, 0, sizeof *info);
	if (print_queue_start(&cfg, &q) != AG_OK)
		return PRINTER_IO;
	if (print_queue_submit_slip(q, s, &id) != AG_OK) {
		print_queue_stop(q);
		return PRINTER_IO;
	}
	/* Time for the paper to move (the profile knows its speed) plus the backend's timeouts. */
	print_queue_wait(q, id, printer_profile_print_ms(pc->profile, 16384) + PRINT_WAIT_EXTRA_MS,
	                 info);
	fault = info->state == PRINT_JOB_DONE ? PRINTER_OK
	        : info->fault != PRINTER_OK   ? info->fault
	                                      : PRINTER_TIMEOUT;
	print_queue_stop(q);
	return fault;
}

struct list_sink {
	struct ctl *c;
	int count;
};

static void list_one(void *arg, const struct printer_found *f)
{
	struct list_sink *sink = arg;
	struct ctl *c = sink->c;
	const char *model = f->profile ? f->profile->name : "?";

	sink->count++;

	if (c->json) {
		ctl_emit(json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "uri", f->uri, "profile",
		                   f->profile ? f->profile->id : "", "bus", f->bus, "address",
		                   f->address, "interface", f->interface, "endpoint_out", f->ep_out,
		                   "endpoint_in", f->ep_in));
		return;
	}
	ctl_say(c, MSG_CTL_PRINTER_FOUND, f->uri, model, f->bus, f->address, f->ep_out, f->ep_in);
}

int ctl_printer_list(struct ctl *c, int argc, char **argv)
{
	struct list_sink sink = {.c = c};
	printer_fault fault = PRINTER_OK;
	agenda_detail d;
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);

	if (status != EXIT_OK)
		return status;
	if (printer_usb_list(list_one, &sink, &fault) != AG_OK) {
		printer_fault_detail(fault, &d);
		return ctl_fail(c, AG_ERR_IO, &d);
	}
	if (!sink.count && !c->json)
		ctl_say(c, MSG_CTL_PRINTER_NONE);
	return EXIT_OK;
}

int ctl_printer_status(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	struct printer_choice pc;
	printer_fault fault = PRINTER_OK;
	agenda_detail d;
	unsigned flags = 0;
	printer *p = NULL;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);

	if (status != EXIT_OK || (status = open_if_present(c)) ||
	    (status = choose_printer(c, &o[0], &o[1], &pc)))
		return status;
	if (printer_open(pc.uri, pc.profile, 0, &p, &fault, &d) != AG_OK)
		return printer_failed(c, fault, NULL);
	if (printer_status(p, &flags, &d) != AG_OK) {
		fault = p->fault;
		printer_close(p);
		return printer_failed(c, fault, NULL);
	}
	printer_close(p);
	fault = printer_status_blocking(flags);
	printer_status_detail(flags, &d);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:i, s:b, s:s, s:s}", "uri", pc.uri, "profile",
		                   pc.profile->id, "status", flags, "ready", fault == PRINTER_OK,
		                   "message", d.it, "message_en", d.en));
	else
		printf("%s: %s\n", pc.uri, c->lang == LANG_EN ? d.en : d.it);
	return fault == PRINTER_OK ? EXIT_OK : EXIT_PRINTER;
}

int ctl_printer_test(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	struct printer_choice pc;
	print_job_info info;
	agenda_detail why;
	slip *s;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	printer_fault fault;
	agenda_day today;
	int minute;

	agenda_clock clock;
	int64_t clock_storage;

	if (status != EXIT_OK || (status = open_if_present(c)) ||
	    (status = choose_printer(c, &o[0], &o[1], &pc)))
		return status;
	if (clock_from_env(&clock, &clock_storage) != AG_OK)
		return ctl_fail_msg(c, AG_ERR_INVALID, MSG_CTL_BAD_NOW, CLOCK_ENV);
	if (!(s = malloc(sizeof *s)))
		return ctl_fail(c, AG_ERR_NOMEM, NULL);
	clock_local(clock_now(&clock), &today, &minute);
	/* Fictional, marked data only: a tecnico prints this without seeing anyone's. */
	slip_input in = {.city = msg_get(MSG_CTL_TEST_SLIP_CITY, c->lang),
	                 .surname = msg_get(MSG_CTL_TEST_SLIP_SURNAME, c->lang),
	                 .name = "àèéìòù ÀÈÉÌÒÙ €",
	                 .birth_date = date_from_ymd(2000, 1, 1),
	                 .nationality = "-",
	                 .numero_pratica = "RM/2026/000000",
	                 .numero_visto = "ITA000000000",
	                 .questura_name = msg_get(MSG_CTL_TEST_SLIP_CITY, c->lang),
	                 .questura_address = "-",
	                 .day = today,
	                 .minute = minute,
	                 .reference = "00000000-0000-4000-8000-000000000000",
	                 .operator_id = CTL_ACTOR,
	                 .printed_at = clock_now(&clock),
	                 .printed_day = today,
	                 .printed_minute = minute,
	                 .columns = pc.profile->columns};
	if (slip_build(&in, s, &why) != AG_OK) {
		free(s);
		return ctl_fail(c, AG_ERR_INVALID, &why);
	}
	fault = print_and_wait(&pc, s, &info);
	free(s);
	if (fault != PRINTER_OK)
		return printer_failed(c, fault, NULL);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:I}", "uri", pc.uri, "profile", pc.profile->id,
		                   "bytes", (json_int_t)info.bytes));
	else
		ctl_say(c, MSG_CTL_TEST_PRINTED, pc.uri, (int)info.bytes);
	return EXIT_OK;
}

/* print ID and reprint ID: the same path; the slip says DUPLICATO once printed before. */
int ctl_printer_print(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	struct printer_choice pc;
	struct booking b;
	print_job_info info;
	agenda_detail why = {{0}, {0}};
	const char *id;
	slip *s;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), &id, 1, 1);
	printer_fault fault;
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_login(c)) ||
	    (status = choose_printer(c, &o[0], &o[1], &pc)))
		return status;
	if (!(s = malloc(sizeof *s)))
		return ctl_fail(c, AG_ERR_NOMEM, NULL);
	err = convocation_slip(&c->ctx, &c->session, id, pc.profile->columns, s, &why);
	if (err != AG_OK) {
		free(s);
		return ctl_fail(c, err, &why);
	}
	fault = print_and_wait(&pc, s, &info);
	free(s);
	err = convocation_record(&c->ctx, &c->session, id,
	                         fault == PRINTER_OK ? PRINT_OUTCOME_DONE : PRINT_OUTCOME_FAILED,
	                         printer_fault_name(fault), &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (fault != PRINTER_OK)
		return printer_failed(c, fault, id);
	if ((err = booking_get(&c->ctx, &c->session, id, &b, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		json_t *obj = ctl_booking_json(&b, NULL);

		json_object_set_new(obj, "printer", json_string(pc.uri));
		json_object_set_new(obj, "bytes", json_integer((json_int_t)info.bytes));
		json_object_set_new(obj, "missing_glyphs", json_integer(info.missing_glyphs));
		ctl_emit(obj);
	} else {
		ctl_booking_print(c, &b, MSG_CTL_SLIP_PRINTED);
	}
	/* Printed, but with boxes where no font had the letter: the name must be written by hand.
	 */
	if (info.missing_glyphs > 0) {
		fprintf(stderr, msg_get(MSG_SLIP_MISSING_GLYPHS, c->lang), info.missing_glyphs);
		fputc('\n', stderr);
	}
	return EXIT_OK;
}

static void queue_one(void *arg, const struct booking *b)
{
	struct ctl *c = arg;

	if (c->json)
		ctl_emit(ctl_booking_json(b, NULL));
	else
		ctl_booking_print(c, b, MSG_CTL_REPRINT_WAITING);
}

int ctl_printer_queue(struct ctl *c, int argc, char **argv)
{
	agenda_detail why = {{0}, {0}};
	int status = ctl_parse(c, argc, argv, NULL, 0, NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_login(c)))
		return status;
	err = convocation_reprint_queue(&c->ctx, &c->session, queue_one, c, &why);
	return err == AG_OK ? EXIT_OK : ctl_fail(c, err, &why);
}
