"""Staff and their roles, pupils, and the classes and sets that join them."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q

from tandem.lib.upn import UpnCheck, check_upn
from tandem.schools.models import AcademicYear, School, Trust


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Signs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    # Django admin access, for superusers only (see tandem.urls).
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    TEACHER = "teacher", "Class or subject teacher"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    SENCO = "senco", "SENCo"
    HEAD = "head", "Head or senior leader"
    SCHOOL_ADMIN = "school_admin", "School admin (data and IT)"
    TRUST_SEND_LEAD = "trust_send_lead", "Trust SEND lead"
    TRUST_ADMIN = "trust_admin", "Trust admin"
    DPO = "dpo", "Data protection officer"
    TRUST_DPO = "trust_dpo", "Trust data protection officer"
    PARENT = "parent", "Parent or carer"


TRUST_ROLES = frozenset({Role.TRUST_SEND_LEAD, Role.TRUST_ADMIN, Role.TRUST_DPO})
# A parent or carer belongs to a school, like staff, but is never staff: no staff page lists or grants it;
# the SENCo links them to their own child (tandem.parents).
FAMILY_ROLES = frozenset({Role.PARENT})
SCHOOL_ROLES = frozenset(set(Role) - TRUST_ROLES - FAMILY_ROLES)
# Roles that open every pupil's SEN record and answer for the school, or read everyone's trail (the data
# protection officer): granted only by the head, a trust admin, or when the school is created; a staff
# import can only ask for them (RoleProposal).
SENIOR_ROLES = frozenset({Role.SENCO, Role.HEAD, Role.DPO})


class Membership(models.Model):
    """A role held by a user at one school or one trust."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            # School roles belong to a school, trust roles to a trust: never both, never neither.
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(SCHOOL_ROLES | FAMILY_ROLES), school__isnull=False, trust__isnull=True)
                    | Q(role__in=sorted(TRUST_ROLES), school__isnull=True, trust__isnull=False)
                ),
                name="membership_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(is_active=True, school__isnull=False),
                name="membership_unique_active_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "trust"],
                condition=Q(is_active=True, trust__isnull=False),
                name="membership_unique_active_trust_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.school or self.trust}"


class RoleDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RoleProposal(models.Model):
    """A SENCo or head role a staff import asked for. It gives no access until the head (or a trust admin)
    approves it, which creates the Membership; a rejected or approved proposal stays as the record."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_proposals")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="role_proposals")
    role = models.CharField(max_length=32, choices=Role.choices)
    proposed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The import that asked, by id only: the import record belongs to another app and outlives its file.
    source_import_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=8, choices=RoleDecision.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=sorted(SENIOR_ROLES)), name="roleproposal_role_senior"
            ),
            models.CheckConstraint(
                condition=(
                    Q(decision="", decided_at__isnull=True)
                    | Q(decision__in=RoleDecision.values, decided_at__isnull=False)
                ),
                name="roleproposal_decision_dated",
            ),
            # One open request per person and role: a second import of the same file asks nothing new.
            models.UniqueConstraint(
                fields=["user", "school", "role"], condition=Q(decision=""), name="roleproposal_one_open"
            ),
        ]
        indexes = [models.Index(fields=["school", "decision"])]

    def __str__(self) -> str:
        return f"Request for {self.get_role_display()} ({self.decision or 'open'})"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


def year_group_label(year: int) -> str:
    if year == 0:
        return "Reception"
    if year < 0:
        return f"Nursery {year + 3}"
    return f"Year {year}"


class Pupil(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    # Kept exactly as the MIS gave it; a failing check letter is a warning, never "fixed".
    upn = models.CharField("UPN", max_length=13, blank=True)
    mis_id = models.CharField("MIS id", max_length=32, blank=True)
    legal_forename = models.CharField(max_length=100)
    legal_surname = models.CharField(max_length=100)
    preferred_forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    # National Curriculum year: -2 and -1 nursery, 0 Reception, 1-14.
    year_group = models.SmallIntegerField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    pupil_premium = models.BooleanField(default=False)
    eal = models.BooleanField("English as an additional language", default=False)
    looked_after = models.BooleanField(default=False)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["legal_surname", "legal_forename", "id"]
        indexes = [
            models.Index(fields=["school", "year_group"]),
            models.Index(fields=["school", "legal_surname"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"], condition=~Q(upn=""), name="pupil_upn_unique_in_school"
            ),
            models.CheckConstraint(
                condition=Q(year_group__gte=-2, year_group__lte=14), name="pupil_year_valid"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="pupil_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"Pupil {self.id}"

    @property
    def display_name(self) -> str:
        return f"{self.preferred_forename or self.legal_forename} {self.legal_surname}"

    @property
    def year_label(self) -> str:
        return year_group_label(self.year_group)

    @property
    def upn_check(self) -> UpnCheck | None:
        return check_upn(self.upn) if self.upn else None


class Subject(models.Model):
    """A code-set table, not an enum: schools add their own subjects."""

    code = models.SlugField(max_length=32, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupKind(models.TextChoices):
    CLASS = "class", "Class"
    SET = "set", "Set"


class TeachingGroup(models.Model):
    """A class (all subjects, primary) or a set (one subject). Its teachers are accountable for its pupils."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teaching_groups")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="teaching_groups")
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=GroupKind.choices)
    subject = models.ForeignKey(
        Subject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty for a class taught all subjects.",
    )
    year_group = models.SmallIntegerField()

    class Meta:
        ordering = ["year_group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "name"], name="group_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="group_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="class") | Q(subject__isnull=False), name="group_set_has_subject"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year_label(self) -> str:
        return year_group_label(self.year_group)


class GroupStaffRole(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    SUPPORT = "support", "Teaching assistant"


class GroupStaff(models.Model):
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_roles")
    role = models.CharField(max_length=8, choices=GroupStaffRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user", "role"], name="groupstaff_unique"),
            models.CheckConstraint(condition=Q(role__in=GroupStaffRole.values), name="groupstaff_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.group_id}"


class Enrolment(models.Model):
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="enrolments")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="enrolments")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="enrolment_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["group", "pupil"],
                condition=Q(ends_on__isnull=True),
                name="enrolment_one_open_per_group",
            ),
        ]
        indexes = [models.Index(fields=["pupil", "ends_on"])]

    def __str__(self) -> str:
        return f"Enrolment in {self.group_id} from {self.starts_on}"
