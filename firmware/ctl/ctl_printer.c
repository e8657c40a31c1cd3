/*
 * ctl_printer.c — the printer from the shell: list the USB printers, ask one its status, print
 * a test slip (no personal data: a tecnico's command), print or reprint an appointment's
 * convocation slip, and show the reprint queue.
 *
 * Printing goes through the same library call as the kiosk (print/convocation_print.h): the
 * print worker records the outcome on the appointment under this session, agendactl waits for
 * that. A printer fault never touches the booking: the command says what to do and exits 13,
 * and the appointment waits in the reprint queue. The printer is chosen as the kiosk chooses it
 * (print/printer_choice.h): --printer URI, else $AGENDA_PRINTER, else the device's "printer_uri"
 * setting, else "usb".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "print/convocation_print.h"
#include "print/printer_choice.h"
#include "printer/print_queue.h"
#include "printer/profile.h"

#define OPTS(a)             (sizeof(a) / sizeof((a)[0]))
#define PRINT_WAIT_EXTRA_MS 15000

/* Which printer and profile: --printer/--profile, else the environment and settings. */
static int choose_printer(struct ctl *c, const struct ctl_opt *uri_opt,
                          const struct ctl_opt *profile_opt, struct printer_choice *out)
{
	agenda_detail why;

	/* Refused here, whole: a mistyped URI is a usage error, not "printer not found". */
	if (printer_choice_resolve(uri_opt->value, profile_opt->value,
	                           c->ctx_open ? c->ctx.store : NULL, out, &why) != AG_OK)
		return ctl_usage_detail(c, &why);
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

int ctl_test_slip(struct ctl *c, const char *uri, const char *profile,
                  struct ctl_test_slip_outcome *out)
{
	struct ctl_opt uri_opt = {"--printer", true, uri},
	               profile_opt = {"--profile", true, profile};
	struct printer_choice pc;
	print_job_info info;
	agenda_detail why;
	slip *s;
	printer_fault fault;
	agenda_day today;
	int minute, status;
	agenda_clock clock;
	int64_t clock_storage;

	memset(out, 0, sizeof *out);
	if ((status = choose_printer(c, &uri_opt, &profile_opt, &pc)))
		return status;
	snprintf(out->uri, sizeof out->uri, "%s", pc.uri);
	out->profile_id = pc.profile->id;
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
	out->bytes = (long)info.bytes;
	out->printed = fault == PRINTER_OK;
	out->fault_name = printer_fault_name(fault);
	printer_fault_detail(fault, &out->fault_words);
	out->fault = (int)fault;
	return EXIT_OK;
}

int ctl_printer_test(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	struct ctl_test_slip_outcome outcome;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);

	if (status != EXIT_OK || (status = open_if_present(c)) ||
	    (status = ctl_test_slip(c, o[0].value, o[1].value, &outcome)))
		return status;
	if (!outcome.printed)
		return printer_failed(c, (printer_fault)outcome.fault, NULL);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:I}", "uri", outcome.uri, "profile",
		                   outcome.profile_id, "bytes", (json_int_t)outcome.bytes));
	else
		ctl_say(c, MSG_CTL_TEST_PRINTED, outcome.uri, (int)outcome.bytes);
	return EXIT_OK;
}

/* Waits for a convocation slip's outcome, recorded by the print worker; PRINTER_OK when printed. */
static agenda_err print_convocation(struct ctl *c, const struct printer_choice *pc, const char *id,
                                    struct convocation_printed *printed, printer_fault *fault,
                                    agenda_detail *why)
{
	print_queue_config cfg = {.uri = pc->uri, .profile = pc->profile};
	print_queue *q;
	agenda_err err;

	*fault = PRINTER_OK;
	if (print_queue_start(&cfg, &q) != AG_OK) {
		agenda_detail_set(why, MSG_NOMEM);
		return AG_ERR_NOMEM;
	}
	/* Time for the paper to move (the profile knows its speed) plus the backend's timeouts. */
	err = convocation_print_wait(
	        &c->ctx, &c->session, q, id,
	        printer_profile_print_ms(pc->profile, 16384) + PRINT_WAIT_EXTRA_MS, printed, why);
	/* On a time-out the job is still sending: stopping ends it and records what happened. */
	print_queue_stop(q);
	if (err == AG_ERR_IO) {
		*fault = PRINTER_TIMEOUT;
		return AG_OK;
	}
	if (err != AG_OK)
		return err;
	if (printed->job.state != PRINT_JOB_DONE)
		*fault = printed->job.fault != PRINTER_OK ? printed->job.fault : PRINTER_IO;
	if (printed->recorded != AG_OK)
		*why = printed->why;
	return printed->recorded;
}

/* print ID and reprint ID: the same path; the slip says DUPLICATO once printed before. */
int ctl_printer_print(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	struct printer_choice pc;
	struct convocation_printed printed;
	struct booking b;
	agenda_detail why = {{0}, {0}};
	const char *id;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), &id, 1, 1);
	printer_fault fault;
	agenda_err err;

	if (status != EXIT_OK || (status = ctl_login(c)) ||
	    (status = choose_printer(c, &o[0], &o[1], &pc)))
		return status;
	err = print_convocation(c, &pc, id, &printed, &fault, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	if (fault != PRINTER_OK)
		return printer_failed(c, fault, id);
	if ((err = booking_get(&c->ctx, &c->session, id, &b, &why)) != AG_OK)
		return ctl_fail(c, err, &why);
	if (c->json) {
		json_t *obj = ctl_booking_json(&b, NULL);

		json_object_set_new(obj, "printer", json_string(pc.uri));
		json_object_set_new(obj, "bytes", json_integer((json_int_t)printed.job.bytes));
		json_object_set_new(obj, "missing_glyphs",
		                    json_integer(printed.job.missing_glyphs));
		ctl_emit(obj);
	} else {
		ctl_booking_print(c, &b, MSG_CTL_SLIP_PRINTED);
	}
	/* Printed, but with boxes where no font had the letter: the name must be written by hand.
	 */
	if (printed.job.missing_glyphs > 0) {
		fprintf(stderr, msg_get(MSG_SLIP_MISSING_GLYPHS, c->lang),
		        printed.job.missing_glyphs);
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

int ctl_printer_set(struct ctl *c, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--printer", true, NULL}, {"--profile", true, NULL}};
	agenda_detail why = {{0}, {0}};
	struct printer_choice pc;
	int status = ctl_parse(c, argc, argv, o, OPTS(o), NULL, 0, 0);
	agenda_err err;

	if (status != EXIT_OK)
		return status;
	if (!o[0].value || !*o[0].value)
		return ctl_usage(c, MSG_CTL_MISSING_OPTION, "--printer");
	if ((status = ctl_open(c, false)) != EXIT_OK)
		return status;
	err = printer_choice_save(&c->ctx, CTL_ACTOR, o[0].value, o[1].value, &why);
	if (err == AG_ERR_INVALID)
		return ctl_usage_detail(c, &why);
	if (err != AG_OK)
		return ctl_fail(c, err, &why);
	/* What a command without --printer now chooses (the environment still comes first). */
	if (printer_choice_resolve(NULL, NULL, c->ctx.store, &pc, &why) != AG_OK)
		return ctl_usage_detail(c, &why);
	if (c->json)
		ctl_emit(json_pack("{s:s, s:s, s:s}", "printer_uri", o[0].value, "profile",
		                   pc.profile->id, "chosen_now", pc.uri));
	else
		ctl_say(c, MSG_CTL_PRINTER_SET, o[0].value, pc.profile->id);
	return EXIT_OK;
}
