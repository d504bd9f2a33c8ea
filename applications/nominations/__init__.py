"""Calls for nominations to the Management Committee, and the nominations made to them.

- ``models``: ``Call`` with its ``CallSeat`` rows (seats per constituency),
  ``Nomination`` (its protected state machine) and its ``NominationAttachment`` files.
- ``services``: saving a call, inviting the members, and one service per
  transition (submit, consent, lapse, screen, decide, onboard, withdraw); each
  ends with ``events.emit("nomination_<step>", ...)`` or ``"call_<step>"``.
- ``selectors``: calls, seat counts, results, the committee, the eligibility
  checklist the screener sees.
- ``forms``, ``views``, ``urls``: the public call pages, the nomination form
  behind a member's signed link, the nominee's consent, the status page.
"""
