/*
 * account.h — what an operator account is, wherever it is made: on a device (services/
 * operators.c) or centrally (agenda-central's operator verbs). One set of rules, so an account
 * created by the Ministry and one created on a stand-alone device look the same.
 *
 * User names are the SPI ones. Passwords are generated (CSPRNG through the injectable RNG),
 * never chosen, from an alphabet without look-alike characters, and stored only as Argon2id
 * hashes with OWASP's parameters. Holds no state and touches no store.
 */
#ifndef AGENDA_ACCOUNT_ACCOUNT_H
#define AGENDA_ACCOUNT_ACCOUNT_H

#include <stdbool.h>

#include "core/error.h"
#include "platform/rng.h"

#define USERNAME_MAX    33
#define PASSWORD_LENGTH 12
#define PASSWORD_MAX    64

/* Argon2id parameters (OWASP: 19 MiB, 2 passes, 1 lane). */
#define PASSWORD_HASH_MEMORY_KIB  19456
#define PASSWORD_HASH_PASSES      2
#define PASSWORD_HASH_ENCODED_MAX 128 /* "$argon2id$v=19$m=...$salt$hash" and its NUL */

/* Zero is no role: a zeroed or wiped session must never pass as someone. */
enum operator_role { ROLE_NONE = 0, ROLE_OPERATORE, ROLE_DIRIGENTE, ROLE_TECNICO };

/* "operatore", "dirigente", "tecnico"; "?" for no role. */
const char *operator_role_name(enum operator_role role);
bool operator_role_parse(const char *text, enum operator_role *out);

/* Checks an SPI-style user name: 3..32 of [a-z0-9._-], starting with a letter. */
agenda_err operator_username_check(const char *username, agenda_detail *why);

/* A new password of PASSWORD_LENGTH characters into out; AG_ERR_IO when the RNG fails. */
agenda_err account_password_generate(const agenda_rng *rng, char out[PASSWORD_MAX]);

/* The Argon2id encoding of password with a fresh random salt; AG_ERR_IO / AG_ERR_NOMEM. */
agenda_err account_password_hash(const agenda_rng *rng, const char *password,
                                 char encoded[PASSWORD_HASH_ENCODED_MAX]);

#endif
