"""The staff's own pages: ``tasks`` (the task pages and the staff inbox),
``letters``, ``nominations`` (lists, detail pages, files, calls), ``exports``
(letters, members, contacts, the mailing list) and ``staff`` (the 403 explainer,
dashboard, personal data, email preference).
viewflow's inbox, queue and process pages are in ``review.site``."""
