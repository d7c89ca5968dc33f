"""Who a patient should call: the same values for the gateway and the action server.

Both services read these from the same variables, so the assistant's answers, the gateway's own
replies and the widget's call link give one clinic phone number.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseSettings, Field, root_validator

from settings import PROJECT_DIR

# From the range kept for fiction (555-0100 to 555-0199) and the demo page's clinic: fine for a
# demo, refused in production so no real clinic ships them.
DEMO_CLINIC_PHONE = "555-0100"
DEMO_CLINIC_NAME = "Riverbend Cancer Center"


class ClinicSettings(BaseSettings):
    """The fields every service shares: where it runs and the clinic's contacts."""

    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses placeholder secrets, the demo clinic's name and "
        "phone, and nurse alerts kept in a local file.",
    )
    clinic_name: str = Field(
        DEMO_CLINIC_NAME, description="The clinic's name, shown in the patient widget."
    )
    clinic_phone: str = Field(
        DEMO_CLINIC_PHONE,
        description="The clinic's phone number, given in every safety reply, nurse handoff, "
        "the gateway's own replies and the widget's call link.",
    )
    emergency_number: str = Field("911", description="Emergency services number.")
    crisis_line: str = Field("988", description="Mental-health crisis line (call or text).")

    class Config:
        env_file = PROJECT_DIR / ".env"
        env_file_encoding = "utf-8"

    @root_validator(skip_on_failure=True)
    def no_demo_clinic_outside_development(cls, values: dict) -> dict:
        if values["environment"] != "development":
            if values["clinic_phone"] == DEMO_CLINIC_PHONE:
                raise ValueError("CLINIC_PHONE is the demo number; set the clinic's real number")
            if values["clinic_name"] == DEMO_CLINIC_NAME:
                raise ValueError("CLINIC_NAME is the demo clinic; set the clinic's real name")
        return values
