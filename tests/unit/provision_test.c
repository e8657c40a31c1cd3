/*
 * provision_test.c — the parts of enrolment that need no server: what the technician typed is
 * checked on the device and a mistake sends nothing (a loopback listener standing in for
 * central must see no connection); a device already enrolled elsewhere is refused unsent; the
 * fingerprint and address forms; renew_due's 30-day edge and renewal of a stand-alone device.
 * The end-to-end runs against agenda-central are tests/integration/provision_test.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/enrol_code.h"
#include "fixture.h"
#include "services/device_identity.h"
#include "sync/provision.h"
#include "sync/renew.h"

#define GOOD_FP "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"

/* A loopback listener standing in for central: counts who connected to it. */
struct fake_central {
	int fd;
	char url[64];
};

static void fake_central_start(struct fake_central *c)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(c->fd, 4), 0);
	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&a, &len), 0);
	snprintf(c->url, sizeof c->url, "https://localhost:%d", ntohs(a.sin_port));
}

/* True when nobody connected (the kernel would have queued a connection for accept). */
static bool fake_central_untouched(struct fake_central *c)
{
	int fd = accept(c->fd, NULL, NULL);
	bool untouched = fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);

	if (fd >= 0)
		close(fd);
	close(c->fd);
	return untouched;
}

static void fingerprint_forms(void **state)
{
	char out[PROVISION_FP_HEX + 1];

	(void)state;
	/* OpenSSL's colon form, the help desk's groups, lower case: the same 64 digits */
	assert_int_equal(provision_fingerprint_digits("00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:"
	                                              "ee:ff:00:11:22:33:44:55:66:77:88:99:AA:BB:"
	                                              "CC:DD:EE:FF",
	                                              out),
	                 64);
	assert_string_equal(out, GOOD_FP);
	assert_int_equal(provision_fingerprint_digits("0011 2233 4455 6677 8899 AABB CCDD EEFF "
	                                              "0011 2233 4455 6677 8899 aabb ccdd eeff",
	                                              out),
	                 64);
	assert_string_equal(out, GOOD_FP);
	assert_int_equal(provision_fingerprint_digits("0011 2233", out), 8);
	assert_int_equal(provision_fingerprint_digits(GOOD_FP "00", out), 66);
	assert_int_equal(provision_fingerprint_digits("0011 22G3", out), -1);
	assert_int_equal(provision_fingerprint_digits("", out), 0);
}

static void central_address_forms(void **state)
{
	char out[PROVISION_URL_MAX];
	agenda_detail why;

	(void)state;
	assert_int_equal(provision_central_url("https://agenda.interno.it:8443/", out, &why),
	                 AG_OK);
	assert_string_equal(out, "https://agenda.interno.it:8443");
	assert_int_equal(provision_central_url("https://localhost", out, &why), AG_OK);
	assert_string_equal(out, "https://localhost");
	/* plain HTTP, an IP address (mbedTLS matches names only), a path, a user, no host */
	const char *bad[] = {"http://agenda.interno.it:8443",
	                     "https://127.0.0.1:8443",
	                     "https://[::1]:8443",
	                     "https://agenda.it:8443/v1",
	                     "https://u@agenda.it",
	                     "https://",
	                     "https://agenda.it:",
	                     "https://agenda.it:123456",
	                     "agenda.interno.it"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(provision_central_url(bad[i], out, &why), AG_ERR_INVALID);
		assert_non_null(strstr(why.it, "https://NOME:PORTA"));
	}
}

static void mistyped_code_sends_nothing(void **state)
{
	struct fixture *f = *state;
	struct fake_central central;
	struct provision_result res;
	agenda_detail why;
	char code[ENROL_CODE_SIZE];

	fake_central_start(&central);
	/* a well-formed code with its last character changed: the check catches it */
	assert_int_equal(enrol_code_generate(&f->ctx.rng, code), AG_OK);
	code[ENROL_CODE_TEXT_LENGTH - 1] = code[ENROL_CODE_TEXT_LENGTH - 1] == '2' ? '3' : '2';
	struct provision_request req = {.central_url = central.url,
	                                .code = code,
	                                .ca_fingerprint = GOOD_FP,
	                                .data_dir = f->dir,
	                                .timeout_ms = 2000};
	assert_int_equal(provision_run(&f->ctx, "test", &req, &res, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "nessun tentativo è stato inviato"));
	assert_int_equal(res.network, HTTPS_ANSWERED);
	assert_true(fake_central_untouched(&central));
	assert_false(device_identity_provisioned(&f->ctx));
	/* and no key was made for it */
	char key[160];
	snprintf(key, sizeof key, "%s/device.key", f->dir);
	assert_int_equal(access(key, F_OK), -1);
}

static void malformed_fingerprint_sends_nothing(void **state)
{
	struct fixture *f = *state;
	struct fake_central central;
	struct provision_result res;
	agenda_detail why;
	char code[ENROL_CODE_SIZE];

	fake_central_start(&central);
	assert_int_equal(enrol_code_generate(&f->ctx.rng, code), AG_OK);
	struct provision_request req = {.central_url = central.url,
	                                .code = code,
	                                .ca_fingerprint = "AB12 CD34 EF56", /* cut short */
	                                .data_dir = f->dir,
	                                .timeout_ms = 2000};
	assert_int_equal(provision_run(&f->ctx, "test", &req, &res, &why), AG_ERR_INVALID);
	assert_non_null(strstr(why.it, "ne sono state scritte 12"));
	assert_true(fake_central_untouched(&central));
}

static void enrolled_elsewhere_is_refused_unsent(void **state)
{
	struct fixture *f = *state;
	struct fake_central central;
	struct provision_result res;
	agenda_detail why;
	char code[ENROL_CODE_SIZE];

	assert_int_equal(device_identity_assign(&f->ctx, "test", "MILANO-0003", &why), AG_OK);
	fake_central_start(&central);
	assert_int_equal(enrol_code_generate(&f->ctx.rng, code), AG_OK);
	struct provision_request req = {.central_url = central.url,
	                                .code = code,
	                                .ca_fingerprint = GOOD_FP,
	                                .data_dir = f->dir,
	                                .timeout_ms = 2000};
	assert_int_equal(provision_run(&f->ctx, "test", &req, &res, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.it, "MILANO-0003"));
	assert_non_null(strstr(why.en, "factory-reset"));
	assert_true(fake_central_untouched(&central));
}

static void renew_due_thirty_days_before(void **state)
{
	const int64_t day = 86400, now = 1800000000;
	pki_cert_info cert = {.not_after = now + 31 * day};

	(void)state;
	assert_false(renew_due(&cert, now));
	cert.not_after = now + 30 * day; /* exactly 30 days left: not fewer */
	assert_false(renew_due(&cert, now));
	cert.not_after = now + 30 * day - 1;
	assert_true(renew_due(&cert, now));
	cert.not_after = now - day; /* expired: due (central will say whether it still can) */
	assert_true(renew_due(&cert, now));
}

static void standalone_device_cannot_renew(void **state)
{
	struct fixture *f = *state;
	struct renew_result res;
	agenda_detail why;

	assert_int_equal(renew_run(&f->ctx, f->dir, false, 2000, &res, &why), AG_ERR_REFUSED);
	assert_non_null(strstr(why.en, "agendactl provision"));
	assert_false(res.renewed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(fingerprint_forms),
	        cmocka_unit_test(central_address_forms),
	        cmocka_unit_test_setup_teardown(mistyped_code_sends_nothing, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(malformed_fingerprint_sends_nothing, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test_setup_teardown(enrolled_elsewhere_is_refused_unsent, fixture_setup,
	                                        fixture_teardown),
	        cmocka_unit_test(renew_due_thirty_days_before),
	        cmocka_unit_test_setup_teardown(standalone_device_cannot_renew, fixture_setup,
	                                        fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
