"""Who records training: technicians and stations give trainings and take the signatures; the
director and dispatchers see every record of their area and set what contracts promise."""

from core.choices import Role

VIEW = ["training.view_trainingrecord", "training.view_trainingcommitment"]
RECORD = ["training.add_trainingrecord", "training.sign_trainingrecord"]
COMMIT = ["training.add_trainingcommitment", "training.change_trainingcommitment"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DIRECTOR: VIEW + RECORD + COMMIT,
    Role.ADMIN: VIEW + RECORD + COMMIT,
    Role.DISPATCHER: VIEW + RECORD,
    Role.TECHNICIAN: VIEW + RECORD,
    Role.STATION: VIEW + RECORD,
    Role.AGENT: VIEW,
}
