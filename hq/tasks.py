"""Celery entry points of the headquarters exchange, each a thin call into a service."""

from celery import shared_task

from . import mailbox, services


@shared_task
def deliver_report_task(report_id: int) -> int:
    return services.report_deliver(report_id=report_id)


@shared_task
def poll_hq_mailbox_task() -> int:
    return mailbox.mailbox_poll()
