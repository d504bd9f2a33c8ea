"""Extra questions the Secretariat adds to the letter form (for every applicant or
for some constituencies) and to a call's nomination form.

- ``models``: ``Question`` (kind, label and help in es/en/fr, choices, required,
  order, retired); the answers are stored with the letter or nomination itself
  (``Letter.answers``, ``Nomination.answers``), each with the question's wording
  it was answered under, so that changing or retiring a question changes no
  answer already given.
- ``forms``: ``QuestionFieldsMixin``, the questions as form fields validated
  like the fixed ones (files through ``applications.uploads.check_upload``).
- ``selectors``: the questions a form shows; answers as rows and as a diff.
- ``services``: create, edit and retire a question (each save is a version).
"""
