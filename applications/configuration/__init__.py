"""Settings the Secretariat owns, edited in the staff workspace instead of the
environment: the review deadlines, the onboarding reminder days, the screening's
eligibility checklist and the communities of practice offered at onboarding.

- ``models``: ``SettingVersion``, one row per saved value of one setting (who,
  when; restores are versions too).
- ``defaults``: what each setting is until the Secretariat first saves it (the
  environment's deadlines, today's checklist and communities).
- ``selectors``: the values in use (``deadline_days``, ``checklist_items``,
  ``communities``...), labels of items since removed, the history.
- ``services``: save and restore.
"""
