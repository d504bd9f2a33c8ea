"""A letter of expression of interest, from the public form to a new member.

- ``models``: ``Letter`` (its protected state machine), its ``Attachment`` files,
  a ``LetterRevision`` per submission, the new member's ``OnboardingChecklist``.
- ``services``: one service per transition (submit, resubmit, screen, request
  changes, decide, onboard, withdraw) and the member's own onboarding; each ends
  with ``events.emit("letter_<step>", ...)``.
- ``selectors``: reads for the public pages and the staff (history, duplicates,
  the diff of a resubmission).
- ``forms``, ``views``, ``urls``: the letter form, the status page behind a
  signed link, the onboarding checklist.
- ``retention``: anonymising closed letters; the applicant's data export.
"""
