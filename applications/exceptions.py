"""Domain errors: each carries a message a person can act on."""


class DomainError(Exception):
    """A request the domain refuses. ``str(error)`` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class TransitionNotAllowed(DomainError):
    """The letter's current state does not allow this step."""


class NotPermitted(DomainError):
    """The user lacks the role this step needs."""


class FourEyesViolation(DomainError):
    """The person who screened a letter tried to decide it."""


class AlreadyDecided(TransitionNotAllowed):
    """Someone else decided the letter first."""


class StorageUnavailable(DomainError):
    """The attachment store could not be reached; nothing was saved."""


class SeatsFull(DomainError):
    """Approving would give a constituency more committee members than its seats."""


class NotEligible(DomainError):
    """The nominator or the nominee is not (or no longer) a member, or the call is not open."""


class DuplicateNomination(DomainError):
    """This person is already nominated in this call."""
