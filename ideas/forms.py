from __future__ import annotations

from pathlib import Path

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ideas import permissions, services
from ideas.models import Campaign, Challenge, Idea, Theme
from ideas.pipeline import REASON_REQUIRED
from innovation.platform.models import Direction, Organisation, User
from innovation.platform.permissions import visible_people
from innovation.platform.pickers import PeopleField
from innovation.platform.widgets import DateInput


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


class LengthLimitValidator:
    """A text longer than its limit is refused with its length and the limit, never cut."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                _(
                    "Ce texte compte %(count)s caractères pour %(limit)s au plus : "
                    "raccourcissez-le de %(over)s. Rien n'a été coupé."
                ),
                code="max_length",
                params={
                    "count": _count(len(value)),
                    "limit": _count(self.limit),
                    "over": _count(len(value) - self.limit),
                },
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LengthLimitValidator) and other.limit == self.limit


class LimitedTextField(forms.CharField):
    """Text with a limit that is said rather than imposed: a message past the limit, a live
    counter (static/js/forms.js, from the `data-limit` attributes) and no `maxlength`
    attribute, with which a browser silently cuts what is pasted into the field."""

    def __init__(self, *, max_length: int | None = None, **kwargs):
        self.limit = max_length
        super().__init__(**kwargs)
        if max_length is not None:
            self.validators.append(LengthLimitValidator(max_length))

    def to_python(self, value):
        # Browsers send a line break as two characters (CRLF) and count it as one: so does
        # the server, or a text the counter accepts would be refused.
        return super().to_python(value).replace("\r\n", "\n")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.limit is not None:
            attrs["data-limit"] = str(self.limit)
            attrs["data-count"] = _("{count} / {limit} caractères")
            attrs["data-count-over"] = _("{count} / {limit} caractères : {over} de trop")
        return attrs


LIMITED_FIELDS = ("title", "irritant", "proposal", "expected_impact")


class IdeaForm(forms.ModelForm):
    """An idea as its authors write it. A draft needs only a title; submitting it
    (`submitting=True`) asks for what services.REQUIRED_TO_SUBMIT names. A new idea can bring
    one attachment."""

    coauthors = PeopleField(
        label=_("Co-auteur·rices"),
        required=False,
        help_text=_(
            "Tapez le nom de collègues qui portent l'idée avec vous (séparez plusieurs noms "
            "par « ; ») : elles et ils sont prévenu·es et peuvent se retirer."
        ),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultatif)"),
        required=False,
        help_text=_(
            "Une photo, un schéma, un document : PDF, image, document bureautique ou texte ; "
            "5 Mo au plus. Vous pourrez en ajouter d'autres ensuite."
        ),
    )

    class Meta:
        model = Idea
        # What create_idea and update_idea set; the co-authors, picked by name, and the
        # attachment are declared above and passed to them apart.
        fields = list(services.IDEA_FIELDS)
        field_classes = {name: LimitedTextField for name in LIMITED_FIELDS}
        labels = {
            "title": _("Titre de l'idée"),
            "irritant": _("L'irritant : ce que vous observez sur le terrain"),
            "proposal": _("Votre proposition"),
            "beneficiaries": _("À qui cela profite-t-il ?"),
            "expected_impact": _("Impact attendu"),
            "campaign": _("Appel à idées"),
            "challenge": _("Défi auquel l'idée répond"),
        }
        help_texts = {
            "title": _("Une phrase courte. Un titre suffit pour enregistrer un brouillon."),
            "irritant": _(
                "Décrivez le problème vécu par les agents ou les usagers. À remplir pour déposer."
            ),
            "proposal": _("À remplir pour déposer."),
            "beneficiaries": _("À remplir pour déposer."),
            "expected_impact": _("À remplir pour déposer."),
            "campaign": _("Facultatif : seuls les appels ouverts sont proposés."),
        }
        error_messages = {
            "title": {"required": _("Donnez un titre à l'idée : il suffit pour un brouillon.")},
        }
        widgets = {
            "irritant": forms.Textarea(attrs={"rows": 6}),
            "proposal": forms.Textarea(attrs={"rows": 8}),
            "expected_impact": forms.Textarea(attrs={"rows": 4}),
            "beneficiaries": forms.RadioSelect,
        }

    def __init__(self, *args, user: User, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.submitting = submitting
        self.attachment_content_type = ""
        today = timezone.localdate()
        campaigns = permissions.visible_campaigns(user).open_on(today)
        challenges = permissions.visible_challenges(user).open_on(today)
        if self.instance.campaign_id:
            # Not `campaigns | …`: visible_campaigns() is distinct and Django refuses to OR a
            # distinct query with another (TypeError, a 500 on editing such an idea).
            campaigns = Campaign.objects.filter(
                Q(pk__in=campaigns.values("pk")) | Q(pk=self.instance.campaign_id)
            )
        if self.instance.challenge_id:
            challenges = challenges | Challenge.objects.filter(pk=self.instance.challenge_id)
        self.fields["campaign"].queryset = campaigns.distinct().order_by("title")
        self.fields["challenge"].queryset = challenges.distinct().order_by("title")
        self.fields["theme"].queryset = Theme.objects.all()
        self.fields["beneficiaries"].choices = Idea.Beneficiaries.choices
        offer_hidden_author(self)
        self.fields["title"].required = True
        for name in LIMITED_FIELDS:
            field = self.fields[name]
            # The limit is written next to the field, for those without the live counter.
            limit = _("%(limit)s caractères au plus.") % {"limit": _count(field.limit)}
            field.help_text = f"{field.help_text} {limit}".strip()
        if self.instance.pk:
            # Files are added to an existing idea on their own page.
            del self.fields["attachment"]
            self.fields["coauthors"].initial = list(self.instance.coauthors.all())
        # Whom the person may find, and the idea's co-authors already there: one of them
        # editing must not drop a colleague they could not have found themselves.
        self.fields["coauthors"].queryset = User.objects.filter(
            Q(pk__in=visible_people(user).values("pk"))
            | Q(pk__in=self.instance.coauthors.values("pk") if self.instance.pk else [])
        )

    def clean_attachment(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("attachment")
        if upload:
            self.attachment_content_type = check_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            # Every missing field at once, beside those already refused for another reason.
            for name, message in services.missing_for_submission(cleaned or {}).items():
                if name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def attachments(self) -> list[tuple[UploadedFile, str]]:
        """The checked file, as create_idea takes it (none or one)."""
        upload = self.cleaned_data.get("attachment")
        return [(upload, self.attachment_content_type)] if upload else []

    def ask_for_file_again(self) -> None:
        """After an error, say next to the field that the chosen file was not kept: a browser
        cannot put a file back into a file input, the agent has to choose it again."""
        upload = self.files.get("attachment")
        if upload and "attachment" in self.fields and not self.has_error("attachment"):
            self.add_error(
                "attachment",
                ValidationError(
                    _(
                        "« %(name)s » n'est pas encore joint : après une erreur, le navigateur "
                        "ne peut pas le garder. Choisissez-le à nouveau avant d'envoyer."
                    ),
                    params={"name": upload.name},
                ),
            )

    @classmethod
    def checked(cls, idea: Idea, *, user: User) -> IdeaForm:
        """The form filled with a draft as saved, checked for submission: what is missing is
        marked next to each field (a draft submitted from its own page lands here)."""
        saved = cls(instance=idea, user=user)
        data = {field.name: field.value() for field in saved if field.value() is not None}
        form = cls(data, instance=idea, user=user, submitting=True)
        form.is_valid()
        return form


def offer_hidden_author(form: IdeaForm) -> None:
    """The choice to hide one's name, where it can be made: the open campaigns that allow it
    are named beside the box; with none of them (and a name not hidden already), no box."""
    field = form.fields["author_hidden"]
    titles = list(
        form.fields["campaign"]
        .queryset.filter(allows_hidden_authors=True)
        .values_list("title", flat=True)
    )
    if not titles and not form.instance.author_hidden:
        del form.fields["author_hidden"]
        return
    field.help_text = _(
        "Les autres agents liront « Auteur·rice masqué·e » à la place de votre nom et de "
        "celui de vos co-auteur·rices ; les délégué·es vous connaissent. Possible dans un "
        "appel à idées qui le permet : %(campaigns)s."
    ) % {"campaigns": ", ".join(f"«\u00a0{title}\u00a0»" for title in titles) or "—"}
    if form.instance.pk and form.user.pk != form.instance.author_id:
        # A co-author neither reveals nor hides the author's name: the author chooses.
        field.disabled = True
        field.help_text = _(
            "Seul·e l'auteur·rice de l'idée choisit de montrer ou de masquer son nom."
        )


ALLOWED_ATTACHMENTS = {
    # extension: the MIME types its content may show
    "pdf": {"application/pdf"},
    "png": {"image/png"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    "xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
    "pptx": {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    },
    "odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet", "application/zip"},
    "odp": {"application/vnd.oasis.opendocument.presentation", "application/zip"},
    "txt": {"text/plain"},
}
CANONICAL_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "txt": "text/plain",
}


def check_attachment(upload: UploadedFile) -> str:
    """The canonical content type of an acceptable file (size, extension and content agree),
    or a ValidationError that says what is wrong."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale (%(limit)s)."),
            params={"limit": filesizeformat(limit)},
        )
    extension = Path(upload.name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_ATTACHMENTS:
        raise ValidationError(
            _("Ce type de fichier n'est pas accepté. Formats acceptés : %(formats)s."),
            params={"formats": ", ".join(sorted(ALLOWED_ATTACHMENTS))},
        )
    head = upload.read(8192)
    upload.seek(0)
    if extension == "txt":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the 8 KiB boundary is still text.
            if error.start < len(head) - 4:
                message = _("Ce fichier texte n'est pas lisible (UTF-8).")
                raise ValidationError(message) from None
    else:
        kind = filetype.guess(head)
        if kind is None or kind.mime not in ALLOWED_ATTACHMENTS[extension]:
            raise ValidationError(
                _("Le contenu du fichier ne correspond pas à son extension « .%(ext)s »."),
                params={"ext": extension},
            )
    return CANONICAL_TYPES[extension]


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Pièce jointe"),
        help_text=_("PDF, image, document bureautique ou texte ; 5 Mo au plus."),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        self.content_type = check_attachment(upload)
        return upload


class MoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif ou commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    support = forms.ChoiceField(
        label=_("Accompagnement nécessaire"),
        choices=[("", "—"), *Idea.Support.choices],
        required=False,
    )

    def __init__(self, *args, to: str, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.to = to
        if to in REASON_REQUIRED:
            self.fields["reason"].required = True
            self.fields["reason"].label = _("Motif (communiqué à l'auteur·rice)")
        if to == Idea.State.QUALIFIED:
            self.fields["support"].required = True
            self.fields["support"].initial = idea.support or None
        else:
            del self.fields["support"]


class SupportForm(forms.Form):
    support = forms.ChoiceField(label=_("Accompagnement"), choices=Idea.Support.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideCommentForm(forms.Form):
    reason = forms.CharField(label=_("Motif du masquage"), max_length=300)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        # What save_campaign sets, with the organisations and themes it takes as arguments of
        # their own (many-to-many), shown before the dates.
        fields = [
            *services.CAMPAIGN_FIELDS[: services.CAMPAIGN_FIELDS.index("opens_on")],
            "organisations",
            "themes",
            *services.CAMPAIGN_FIELDS[services.CAMPAIGN_FIELDS.index("opens_on") :],
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "organisations": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "opens_on": DateInput(),
            "closes_on": DateInput(),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            pk__in=permissions.pipeline_organisation_ids(user)
        )
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["themes"].required = False

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("La clôture doit suivre l'ouverture."))
        return cleaned


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        # What save_challenge sets, after the organisation it places a new challenge in (fixed
        # once the challenge exists).
        fields = ["organisation", *services.CHALLENGE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "closes_on": DateInput(),
        }
        labels = {"organisation": _("Collectivité"), "direction": _("Direction qui porte le défi")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            pk__in=permissions.challenge_organisation_ids(user)
        )
        self.fields["organisation"].queryset = organisations
        self.fields["direction"].queryset = Direction.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        if self.instance.pk:
            self.fields["organisation"].disabled = True
        elif organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean(self):
        cleaned = super().clean()
        organisation, direction = cleaned.get("organisation"), cleaned.get("direction")
        if organisation and direction and direction.organisation_id != organisation.pk:
            self.add_error("direction", _("Cette direction n'appartient pas à la collectivité."))
        return cleaned
