from django.db import models


class BareComplaint(models.Model):
    """The columns of a complaint, nothing else: no workflow, no deadlines, no numbering."""

    external_id = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=20, default="api")
    customer_name = models.CharField(max_length=100)
    customer_phone = models.CharField(max_length=30)
    customer_account = models.CharField(max_length=50)
    city = models.ForeignKey("organisation.City", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=300)
    business_line = models.CharField(max_length=30)
    summary = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.customer_name
