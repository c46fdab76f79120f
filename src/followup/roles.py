"""Who does follow-up work: agents call customers back and handle complaints; the director
handles escalations, closes and reopens, and draws the HQ sample; stations see their area's
callbacks and complaints and may call their own customers back."""

from core.choices import Role

VIEW_CALLBACKS = ["followup.view_callbacktask", "followup.view_callscript", "followup.view_callbacksample"]
CALL = ["followup.call_callbacktask"]
VIEW_COMPLAINTS = ["followup.view_complaint"]
HANDLE = ["followup.add_complaint", "followup.handle_complaint"]
CLOSE = ["followup.close_complaint"]

CARE_VIEW = ["followup.view_carerule", "followup.view_caredelivery", "followup.view_careoptout"]
CARE_EDIT = ["followup.add_carerule", "followup.change_carerule", "followup.add_careoptout"]

SURVEYS = ["followup.view_survey", "followup.view_recoverytask"]
RECOVER = ["followup.change_recoverytask"]

QUALITY = ["followup.view_qualityissue", "followup.view_qualitywarning"]
QUALITY_EDIT = ["followup.add_qualityissue", "followup.change_qualityissue"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW_CALLBACKS
    + CALL
    + VIEW_COMPLAINTS
    + HANDLE
    + CLOSE
    + CARE_VIEW
    + ["followup.add_careoptout"]
    + SURVEYS,
    Role.DIRECTOR: VIEW_CALLBACKS
    + CALL
    + ["followup.draw_sample", "followup.change_callscript"]
    + VIEW_COMPLAINTS
    + HANDLE
    + CLOSE
    + CARE_VIEW
    + CARE_EDIT
    + QUALITY
    + QUALITY_EDIT
    + SURVEYS
    + RECOVER,
    Role.STATION: VIEW_CALLBACKS + CALL + VIEW_COMPLAINTS + ["followup.add_complaint", "followup.view_survey"],
    Role.DISPATCHER: VIEW_COMPLAINTS,
    Role.ADMIN: VIEW_CALLBACKS
    + ["followup.draw_sample", "followup.change_callscript"]
    + VIEW_COMPLAINTS
    + CARE_VIEW
    + CARE_EDIT
    + QUALITY
    + SURVEYS,
}
