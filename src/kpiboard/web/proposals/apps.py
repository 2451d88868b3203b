from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "kpiboard.web.proposals"
    label = "proposals"
    verbose_name = "Strategic indicator proposals"
