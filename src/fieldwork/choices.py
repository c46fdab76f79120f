"""Choice sets of field work."""

from django.db import models
from django.utils.translation import pgettext_lazy


class ChecklistState(models.TextChoices):
    """The state of one item of the visit code of conduct on an order (``policies.checklist_item_state``)."""

    DONE = "done", pgettext_lazy("checklist item", "Done")
    EXPLAINED = "explained", pgettext_lazy("checklist item", "Not done, explained")
    OPEN = "open", pgettext_lazy("checklist item", "Open")
