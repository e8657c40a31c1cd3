#!/usr/bin/python3
"""gen_messaggi.py — writes the manual's chapter "Messaggi" from the one message catalogue.

usage: gen_messaggi.py firmware/core/messages.def docs/manuale/cosa-fare.tsv OUT.md

Every MSG(ID, "italiano", "english") of the catalogue becomes one entry (its id, the Italian
text, the English text) under the group its comment header opens, regrouped by who meets it:
the counter (operatore, Dirigente), the technician and the help desk (agendactl, activation,
sync), the central agenda. "Cosa fare" comes from cosa-fare.tsv (ID<TAB>advice, '#' comments),
else from the group's default below; most sentences say what to do themselves. The chapter is
generated at build time (docs/manuale/build.sh), never edited by hand: a message added to or
removed from the catalogue changes it at the next build, and tests/manual/messages_test.py
checks that every id is there and that no id named by the manual is stale.
"""
import re
import sys

# (words the group comment contains, section, Italian title, default "cosa fare" or None).
# The first match wins; sections are printed in SECTIONS order. A group no rule knows (a new
# one) still appears, under "Altri messaggi", with its comment as the title.
SECTIONS = [
    ("sportello", "Allo sportello: operatore e Dirigente"),
    ("tecnico", "Tecnico e help desk: il dispositivo"),
    ("centrale", "Help desk: l'agenda centrale"),
    ("altro", "Altri messaggi"),
]
RULES = [
    ("practice and visa numbers", "sportello", "Numeri di pratica e di visto",
     "Ricontrollare il numero sul documento del richiedente e correggere la parte indicata: "
     "il campo diventa verde quando il numero è accettato."),
    ("calendar and slot search", "sportello", "Ricerca della prima data libera", None),
    ("lookup and booking", "sportello", "Ricerca della pratica e prenotazione", None),
    ("operators and login", "sportello", "Utenze e accesso", None),
    ("slip and printer", "sportello", "Foglio di convocazione e stampante",
     "Per i guasti della stampante: seguire il messaggio, poi «Ristampa» (capitolo Operatore, "
     "«Carta finita, coperchio aperto»). L'appuntamento resta comunque confermato."),
    ("the kiosk's sync", "sportello", "Sincronizzazione vista dallo sportello", None),
    ("kiosk: the tecnico screen", "tecnico", "Schermata Tecnico: attivazione", None),
    ("email from the device", "sportello", "Email e liste del giorno sul chiosco", None),
    ("end-of-day lists", "sportello", "Liste di fine giornata e rettifiche", None),
    ("kiosk (ui/)", "sportello", "Schermate del chiosco", None),
    ("generic", "sportello", "Messaggi generali", None),
    ("store (store/)", "tecnico", "Archivio del dispositivo (database)",
     "Se il messaggio non dice altro: annotarlo e chiamare l'assistenza tecnica; nulla di quanto "
     "già confermato va perso."),
    ("site settings", "tecnico", "Impostazioni della sede", None),
    ("questure, calendars", "tecnico", "Questure, calendari e posti", None),
    ("practice import", "tecnico", "Importazione delle pratiche (CSV)", None),
    ("outbox (services", "tecnico", "Posta in uscita del dispositivo", None),
    ("audit (services", "tecnico", "Registro di controllo (audit)",
     "Un registro non integro va segnalato subito all'assistenza tecnica."),
    ("agendactl printer", "tecnico", "agendactl: stampante", None),
    ("agendactl sync configure", "tecnico", "agendactl: sincronizzazione e lista da verificare",
     None),
    ("enrolment code", "tecnico", "Codice di attivazione",
     "Ricontrollare il codice con l'help desk e riscriverlo: nulla è stato inviato."),
    ("certificates and keys", "tecnico", "Certificati e chiavi",
     "Chiamare l'help desk: il dispositivo o la centrale hanno un certificato da controllare."),
    ("device enrolment", "tecnico", "Attivazione, rinnovo e reset del dispositivo", None),
    ("device's sync round", "tecnico", "Sincronizzazione con la centrale", None),
    ("device services for sync", "tecnico", "Posti concessi, orologio e lista da verificare",
     None),
    ("the mail library", "tecnico", "Posta: composizione e invio dei messaggi", None),
    ("device's mail sender", "tecnico", "Posta del dispositivo: server, invio, stato", None),
    ("sync protocol", "centrale", "Protocollo di sincronizzazione",
     "Errori tra dispositivo e centrale: se si ripetono, annotarli e avvisare l'help desk."),
    ("agenda-central's store", "centrale", "Archivio dell'agenda centrale", None),
    ("central's sync store", "centrale", "Archivio della sincronizzazione (centrale)", None),
    ("agenda-central: sites", "centrale", "Agenda centrale: sedi e opzioni dei comandi", None),
    ("agenda-central: admin verbs", "centrale", "Agenda centrale: comandi di amministrazione",
     None),
    ("agenda-central: enrolment", "centrale", "Agenda centrale: attivazioni e dispositivi", None),
    ("agenda-central: sync routes", "centrale", "Agenda centrale: sincronizzazione e avvisi",
     None),
    ("agenda-central", "centrale", "Agenda centrale: avvio e servizio", None),
    ("agendactl (firmware/ctl/)", "tecnico", "agendactl: comandi del tecnico",
     "Testi del programma a riga di comando agendactl (aiuto, risultati, errori): li vede solo "
     "il tecnico."),
]

MSG_LINE = re.compile(r'^MSG\((\w+),\s*("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")\)\s*$')
GROUP_OPEN = re.compile(r"^/\*\s*(.*?)\s*(\*/)?$")
FORMAT = re.compile(r"%[-+ #0]*(\*|\d+)?(\.(\*|\d+))?(hh|h|ll|l|z|j|t)?[diouxXcsfgeEp]")


def c_string(literal):
    """The text of one C string literal (the escapes the catalogue uses)."""
    body = literal[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse(path):
    """[(group comment, [(id, italian, english)])] in catalogue order."""
    groups, current, in_comment = [], None, False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if in_comment:
                in_comment = "*/" not in line
                continue
            m = GROUP_OPEN.match(line)
            if m and line.startswith("/*"):
                in_comment = not m.group(2)
                if number > 1 and not line.startswith("/*\n"):
                    current = (m.group(1), [])
                    groups.append(current)
                continue
            m = MSG_LINE.match(line)
            if m:
                if current is None:
                    current = ("", [])
                    groups.append(current)
                current[1].append((m.group(1), c_string(m.group(2)), c_string(m.group(3))))
            elif line.startswith("MSG("):
                sys.exit(f"{path}:{number}: MSG line not understood")
    return [g for g in groups if g[1]]


def advice_table(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            ident, sep, text = line.rstrip("\n").partition("\t")
            if not sep or not text.strip():
                sys.exit(f"{path}:{number}: expected ID<TAB>advice")
            table[ident.strip()] = text.strip()
    return table


def rule_for(comment):
    low = comment.lower()
    for words, section, title, default in RULES:
        if words in low:
            return section, title, default
    return "altro", comment or "Senza gruppo", None


def shown(text):
    """Catalogue text as the manual shows it: printf fields as «…», lines kept, Markdown quiet."""
    text = FORMAT.sub("…", text).replace("%%", "%")
    text = re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
    lines = [line if line.strip() else "" for line in text.split("\n")]
    return "\\\n".join(line.replace("  ", "\u00a0 ") for line in lines).strip()


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    groups, advice = parse(argv[1]), advice_table(argv[2])
    known = {ident for _, entries in groups for ident, _, _ in entries}
    stale = sorted(set(advice) - known)
    if stale:
        sys.exit(f"{argv[2]}: advice for ids the catalogue no longer has: {', '.join(stale)}")
    by_section = {key: [] for key, _ in SECTIONS}
    for comment, entries in groups:
        section, title, default = rule_for(comment)
        # Two blocks of the catalogue under one title (a module's later block) make one list.
        same = [g for g in by_section[section] if g[0] == title]
        if same:
            same[0][2].extend(entries)
        else:
            by_section[section].append((title, default, list(entries)))
    out = ["# Messaggi {#messaggi}", "",
           "Tutti i messaggi del programma, presi dal catalogo `firmware/core/messages.def` a ogni "
           "costruzione del manuale: nessuno manca e nessuno è superato. Ogni voce riporta il "
           "codice del messaggio (utile all'help desk), il testo italiano, il testo inglese "
           "(quando il chiosco è in inglese) e, quando serve, che cosa fare. I punti «…» sono "
           "sostituiti dal programma con il dato del caso (un numero, una data, un nome).", "",
           f"Messaggi nel catalogo: {len(known)}.", ""]
    for key, heading in SECTIONS:
        if not by_section[key]:
            continue
        out += [f"## {heading}", ""]
        for title, default, entries in by_section[key]:
            out += [f"### {title}", ""]
            if default:
                out += [f"*Cosa fare, per questo gruppo:* {default}", ""]
            for ident, italian, english in entries:
                out += [f"[`{ident}`]{{#{ident.lower().replace('_', '-')}}}", ":   " +
                        shown(italian), ""]
                out += ["    *English:* " + shown(english).replace("\\\n", "\\\n    "), ""]
                if ident in advice:
                    out += ["    **Cosa fare:** " + advice[ident], ""]
    with open(argv[3], "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv)
