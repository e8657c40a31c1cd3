/*
 * screen_proposal.h — how Scheda opens Proposta: with the date booking_propose found. Its
 * state (struct ui_proposal_state: that proposal, the Modello 209 tick) is laid out in
 * screen_proposal.c only.
 */
#ifndef AGENDA_UI_SCREEN_PROPOSAL_H
#define AGENDA_UI_SCREEN_PROPOSAL_H

struct ui_app;
struct booking;

/* Shows Proposta for the proposal (copied), Modello 209 not ticked yet. */
void ui_proposal_show(struct ui_app *app, const struct booking *proposal);

#endif
