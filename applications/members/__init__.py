"""Organisations once they are members of the Alliance.

- ``models``: ``Organisation``.
- ``services``: the writes letters and nominations make on a member (created on
  approval, admitted at onboarding, its profile, a touch that renews the
  directory's cache).
- ``selectors``: the member roll and the public directory's reads.
- ``forms``, ``views``, ``urls``: the public directory, a member's page, its logo.
- ``imports``: the CSV import of the old roll (reading, checking, writing).
- ``admin``: the organisations' admin with the import page.
"""
