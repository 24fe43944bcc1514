from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.forms_i18n import TrackerForm


class LoginForm(TrackerForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(TrackerForm):
    new = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Ten minste 12 tekens; geen veelgebruikt wachtwoord, en niet uw naam of e-mailadres. Een paar "
                       "losse woorden achter elkaar werkt goed."),
    )
    repeat = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[DataRequired(), EqualTo("new", message=_l("De twee wachtwoorden verschillen."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(), Length(max=1000)])
    keep_api_tokens = BooleanField(_l("Mijn API-tokens houden"))
