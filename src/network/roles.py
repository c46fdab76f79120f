"""Who works with the service network: the director runs the lifecycle, decides suspension
proposals and answers support; HQ engineers (QC inspectors) answer support too; dispatchers and
agents look stations up; station staff see their own record, scorecards and escalations and
escalate their orders."""

from core.choices import Role

VIEW = ["network.view_stationprofile", "network.view_stationevent"]
EDIT = ["network.add_stationprofile", "network.change_stationprofile", "network.transition_stationprofile"]
SCORES = ["network.view_stationscorecard", "network.view_stationwarning", "network.view_suspensionproposal"]
SUPPORT_VIEW = ["network.view_supportrequest"]
ESCALATE = ["network.add_supportrequest"]
ANSWER = ["network.answer_supportrequest"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DIRECTOR: VIEW + EDIT + SCORES + ["network.decide_suspension"] + SUPPORT_VIEW + ANSWER,
    Role.ADMIN: VIEW + EDIT + SCORES + SUPPORT_VIEW,
    Role.QC_INSPECTOR: VIEW + SCORES + SUPPORT_VIEW + ANSWER,
    Role.DISPATCHER: VIEW + SUPPORT_VIEW,
    Role.AGENT: VIEW,
    Role.STATION: VIEW + SCORES + SUPPORT_VIEW + ESCALATE,
}
