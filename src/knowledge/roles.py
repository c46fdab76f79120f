"""Who works with the knowledge base: every service role reads it (internal and public articles)
and writes drafts from experience; the director reviews and publishes; finance and parts clerks
read the public FAQ only."""

from core.choices import Role

READ = ["knowledge.view_article"]
WRITE = ["knowledge.add_article", "knowledge.change_article"]
APPLY = ["knowledge.apply_article"]
REVIEW = ["knowledge.review_article", "knowledge.publish_article"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: READ + ["knowledge.add_article"] + APPLY,
    Role.DISPATCHER: READ,
    Role.TECHNICIAN: READ + ["knowledge.add_article"] + APPLY,
    Role.QC_INSPECTOR: READ,
    Role.DIRECTOR: READ + WRITE + APPLY + REVIEW,
    Role.STATION: READ + ["knowledge.add_article"] + APPLY,
    Role.ADMIN: READ + WRITE + REVIEW,
}
