from django.apps import AppConfig


class PupilVoiceConfig(AppConfig):
    name = "tandem.pupil_voice"
    verbose_name = "Pupils' own views"
