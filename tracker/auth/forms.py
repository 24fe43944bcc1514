from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Wachtwoord / password", validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(FlaskForm):
    new = PasswordField(
        "Nieuw wachtwoord / new password",
        validators=[DataRequired(), Length(max=1000)],
        description="at least 12 characters; not a common password, nor your name or e-mail; a few unrelated words "
        "work well",
    )
    repeat = PasswordField(
        "Herhaal / repeat", validators=[DataRequired(), EqualTo("new", message="the two passwords differ")]
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Huidig wachtwoord / current password", validators=[DataRequired(), Length(max=1000)])
