from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from innovation.platform import password_reset
from innovation.platform.models import Organisation, User
from innovation.platform.people import MAX_FILE_BYTES


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Log in with an e-mail address, whatever its case."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Attention aux majuscules dans le mot "
            "de passe."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class LowercaseEmailMixin:
    """Addresses are stored lower-cased, so that logging in and the import find them."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Une personne utilise déjà cette adresse e-mail."))
        return email


class AdminUserCreationForm(LowercaseEmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(LowercaseEmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title"]
        labels = {
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "job_title": _("Fonction"),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Encodage UTF-8, séparateur point-virgule ou virgule, 5 Mo au plus. Première ligne : "
            "organisation;direction;prenom;nom;email;fonction."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Le fichier doit être au format CSV (extension .csv)."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Le fichier est trop volumineux : 5 Mo au plus."))
        return upload.read()


class DashboardFilterForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Toutes mes organisations"))] + [
            (organisation.pk, organisation.name) for organisation in organisations
        ]

    def selected_id(self) -> int | None:
        return self.cleaned_data.get("organisation") if self.is_valid() else None


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also for people imported without a password: the reset link is how they choose one.

    The e-mail leaves through the outbox (`innovation.platform.password_reset`): the page answers at
    once even if the SMTP server hangs, and the link is made by the worker from SITE_URL."""

    def save(self, **kwargs) -> None:  # type: ignore[override]  # takes and ignores them all
        # The view's domain, protocol, token generator and template options are ignored on
        # purpose: the worker uses SITE_URL and Django's default token generator.
        password_reset.request_password_reset(self.get_users(self.cleaned_data["email"]))

    def get_users(self, email: str):
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        # Django's own check against look-alike Unicode addresses, without its refusal of
        # unusable passwords.
        return (user for user in users if auth_forms._unicode_ci_compare(email, user.email))
