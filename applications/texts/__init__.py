"""Texts the Secretariat owns: the wording of every email and of some public pages.

- ``models``: ``TextVersion``, one row per saved wording of one text in one
  language (who, when; "back to default" and restores are versions too).
- ``placeholders``: ``TextSpec`` (a text's fixed list of placeholders, its
  mandatory ones, its default) and the sandboxed substitution.
- ``pages``: the page texts (privacy notice, home and letter-form introductions,
  the onboarding page's text, the nomination guidance) and their defaults.
- ``selectors``: the current version of a text, its history, what is edited;
  ``render_page_text`` for the public pages.
- ``services``: save, restore, back to default.

The emails' own list of placeholders is in ``notifications.texts`` (the
notifications app renders emails); this package keeps the versions of both.
"""
