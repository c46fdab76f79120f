from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from core.navigation import NavEntry, register_nav
        from core.search import register_search_source
        from knowledge import panels
        from knowledge.choices import SEARCH_KIND
        from knowledge.services import articles_reindex

        register_search_source(SEARCH_KIND, articles_reindex)
        register_nav(
            NavEntry(
                group="aftercare",
                label=_("Knowledge base"),
                url_name="knowledge:list",
                permission="knowledge.view_article",
                order=60,
                element_id="nav-knowledge",
            )
        )
        panels.register()
