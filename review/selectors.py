from notifications.selectors import outbox_for_object


def letter_outbox(letter):
    return outbox_for_object(object_type="applications.letter", object_id=letter.pk)
