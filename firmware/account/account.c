/*
 * account.c — user names, roles, generated passwords and their Argon2id hashes (account.h).
 * Taken out of services/operators.c so agenda-central makes accounts by the same rules.
 */
#include "account/account.h"

#include <argon2.h>
#include <ctype.h>
#include <string.h>

#include "core/messages.h"

/* No 0/O, 1/l/I: the Dirigente reads the password from an email and dictates it. */
static const char PASSWORD_ALPHABET[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

#define SALT_LEN 16
#define HASH_LEN 32

static const char *const ROLE_NAMES[] = {
        [ROLE_OPERATORE] = "operatore", [ROLE_DIRIGENTE] = "dirigente", [ROLE_TECNICO] = "tecnico"};

const char *operator_role_name(enum operator_role role)
{
	return (role >= ROLE_OPERATORE && role <= ROLE_TECNICO) ? ROLE_NAMES[role] : "?";
}

bool operator_role_parse(const char *text, enum operator_role *out)
{
	for (int r = ROLE_OPERATORE; r <= ROLE_TECNICO; r++) {
		if (text && strcmp(text, ROLE_NAMES[r]) == 0) {
			*out = (enum operator_role)r;
			return true;
		}
	}
	return false;
}

agenda_err operator_username_check(const char *username, agenda_detail *why)
{
	size_t n = username ? strlen(username) : 0;

	if (n < 3 || n >= USERNAME_MAX || !islower((unsigned char)username[0]))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)username[i];

		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			goto bad;
	}
	return AG_OK;
bad:
	agenda_detail_set(why, MSG_OPERATOR_BAD_USERNAME);
	return AG_ERR_INVALID;
}

/* Uniform choice from the alphabet by rejection sampling (no modulo bias). */
agenda_err account_password_generate(const agenda_rng *rng, char out[PASSWORD_MAX])
{
	const unsigned n = sizeof PASSWORD_ALPHABET - 1;
	const unsigned limit = 256 - 256 % n;
	int len = 0;

	while (len < PASSWORD_LENGTH) {
		unsigned char b[32];

		if (rng_fill(rng, b, sizeof b) != 0)
			return AG_ERR_IO;
		for (size_t i = 0; i < sizeof b && len < PASSWORD_LENGTH; i++)
			if (b[i] < limit)
				out[len++] = PASSWORD_ALPHABET[b[i] % n];
		memset(b, 0, sizeof b);
	}
	out[len] = '\0';
	return AG_OK;
}

agenda_err account_password_hash(const agenda_rng *rng, const char *password,
                                 char encoded[PASSWORD_HASH_ENCODED_MAX])
{
	unsigned char salt[SALT_LEN];

	if (rng_fill(rng, salt, sizeof salt) != 0)
		return AG_ERR_IO;
	if (argon2id_hash_encoded(PASSWORD_HASH_PASSES, PASSWORD_HASH_MEMORY_KIB, 1, password,
	                          strlen(password), salt, sizeof salt, HASH_LEN, encoded,
	                          PASSWORD_HASH_ENCODED_MAX) != ARGON2_OK)
		return AG_ERR_NOMEM;
	return AG_OK;
}
