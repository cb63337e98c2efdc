"""The controlled vocabularies every encounter record is normalised to.

Plain enums (no database access), shared by the models, the pure vocabulary maps in `vocab.py` and the importer.
A blank value in a source file means "not recorded" and is stored as "" (never NULL) for text fields.
docs/vocabularies.md lists every source spelling that maps onto each value.
"""

from __future__ import annotations

from django.db.models.enums import TextChoices


class Kind(TextChoices):
    STOP_SEARCH = "stop_search", "Stop and search"
    USE_OF_FORCE = "use_of_force", "Use of force"


class SourceFormat(TextChoices):
    POLICE_UK_CSV = "police-uk-csv", "data.police.uk monthly CSV"
    POLICE_UK_JSON = "police-uk-json", "data.police.uk API (stops-force JSON)"
    FORCE_EXTRACT = "force-extract", "Force extract: stop and search"
    USE_OF_FORCE = "use-of-force", "Force extract: use of force"


class SearchType(TextChoices):
    NOT_APPLICABLE = "", "Not applicable"
    PERSON = "person", "Person search"
    PERSON_AND_VEHICLE = "person_and_vehicle", "Person and vehicle search"
    VEHICLE = "vehicle", "Vehicle search"


class Gender(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"


class AgeRange(TextChoices):
    """data.police.uk's age ranges (stop and search)."""

    NOT_RECORDED = "", "Not recorded"
    UNDER_10 = "under_10", "Under 10"
    A10_17 = "10_17", "10 to 17"
    A18_24 = "18_24", "18 to 24"
    A25_34 = "25_34", "25 to 34"
    OVER_34 = "over_34", "Over 34"


class SelfDefinedEthnicity(TextChoices):
    """The 2011 Census 18 groups the police record ("18+1"), plus Roma from Census 2021 and "not stated"."""

    NOT_RECORDED = "", "Not recorded"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_OTHER = "mixed_other", "Mixed: any other Mixed or multiple ethnic background"
    ASIAN_INDIAN = "asian_indian", "Asian: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian: Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian: Chinese"
    ASIAN_OTHER = "asian_other", "Asian: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black: Caribbean"
    BLACK_OTHER = "black_other", "Black: any other Black, African or Caribbean background"
    OTHER_ARAB = "other_arab", "Other: Arab"
    OTHER_ANY = "other_any", "Other: any other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


class EthnicGroup(TextChoices):
    """The five Census 2021 broad groups; "not stated" (blank included) is counted in totals but in no group."""

    ASIAN = "asian", "Asian"
    BLACK = "black", "Black"
    MIXED = "mixed", "Mixed"
    WHITE = "white", "White"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not stated"


class OfficerDefinedEthnicity(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black"
    MIXED = "mixed", "Mixed"
    WHITE = "white", "White"
    OTHER = "other", "Other"


class Legislation(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    PACE_S1 = "pace_s1", "Police and Criminal Evidence Act 1984 (section 1)"
    PACE_S6 = "pace_s6", "Police and Criminal Evidence Act 1984 (section 6)"
    MISUSE_OF_DRUGS_S23 = "misuse_of_drugs_s23", "Misuse of Drugs Act 1971 (section 23)"
    CJPOA_S60 = "cjpoa_s60", "Criminal Justice and Public Order Act 1994 (section 60)"
    CJA_S139B = "cja_s139b", "Criminal Justice Act 1988 (section 139B)"
    FIREARMS_S47 = "firearms_s47", "Firearms Act 1968 (section 47)"
    PSYCHOACTIVE_S36 = "psychoactive_s36", "Psychoactive Substances Act 2016 (s36(2))"
    PSYCHOACTIVE_S37 = "psychoactive_s37", "Psychoactive Substances Act 2016 (s37(2))"
    TERRORISM_S43 = "terrorism_s43", "Terrorism Act 2000 (section 43)"
    TERRORISM_S43A = "terrorism_s43a", "Terrorism Act 2000 (section 43A)"
    TERRORISM_S44 = "terrorism_s44", "Terrorism Act 2000 (section 44)"
    TERRORISM_S47A = "terrorism_s47a", "Terrorism Act 2000 (section 47A)"
    AVIATION_SECURITY_S27 = "aviation_security_s27", "Aviation Security Act 1982 (section 27(1))"
    CROSSBOWS_S4 = "crossbows_s4", "Crossbows Act 1987 (section 4)"
    CUSTOMS_EXCISE_S163 = "customs_excise_s163", "Customs and Excise Management Act 1979 (section 163)"
    DEER_S12 = "deer_s12", "Deer Act 1991 (section 12)"
    ENVIRONMENTAL_PROTECTION_S34B = "environmental_protection_s34b", "Environmental Protection Act 1990 (section 34B)"
    HUNTING_S8 = "hunting_s8", "Hunting Act 2004 (section 8)"
    POACHING_PREVENTION_S2 = "poaching_prevention_s2", "Poaching Prevention Act 1862 (section 2)"
    PROTECTION_OF_BADGERS_S11 = "protection_of_badgers_s11", "Protection of Badgers Act 1992 (section 11)"
    CONSERVATION_OF_SEALS_S4 = "conservation_of_seals_s4", "Conservation of Seals Act 1970 (section 4)"
    PUBLIC_STORES_S6 = "public_stores_s6", "Public Stores Act 1875 (section 6)"
    SPORTING_EVENTS_S7 = "sporting_events_s7", "Sporting Events (Control of Alcohol etc.) Act 1985 (section 7)"
    WILDLIFE_COUNTRYSIDE_S19 = "wildlife_countryside_s19", "Wildlife and Countryside Act 1981 (section 19)"


class ObjectOfSearch(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    CONTROLLED_DRUGS = "controlled_drugs", "Controlled drugs"
    OFFENSIVE_WEAPONS = "offensive_weapons", "Offensive weapons"
    STOLEN_GOODS = "stolen_goods", "Stolen goods"
    ARTICLE_FOR_THEFT = "article_for_theft", "Article for use in theft"
    ARTICLES_FOR_CRIMINAL_DAMAGE = "articles_for_criminal_damage", "Articles for use in criminal damage"
    FIREARMS = "firearms", "Firearms"
    ANYTHING_TO_THREATEN_OR_HARM = "anything_to_threaten_or_harm", "Anything to threaten or harm anyone"
    EVIDENCE_OF_OFFENCES = "evidence_of_offences", "Evidence of offences under the Act"
    EVIDENCE_OF_WILDLIFE_OFFENCES = "evidence_of_wildlife_offences", "Evidence of wildlife offences"
    FIREWORKS = "fireworks", "Fireworks"
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", "Psychoactive substances"
    GAME_OR_POACHING_EQUIPMENT = "game_or_poaching_equipment", "Game or poaching equipment"
    CROSSBOWS = "crossbows", "Crossbows"
    GOODS_DUTY_UNPAID = "goods_duty_unpaid", "Goods on which duty has not been paid etc."
    SEALS_OR_HUNTING_EQUIPMENT = "seals_or_hunting_equipment", "Seals or hunting equipment"
    TERRORISM = "terrorism", "Articles in connection with terrorism"
    DETAILED_OBJECT_UNAVAILABLE = "detailed_object_unavailable", "Detailed object of search unavailable"


class Outcome(TextChoices):
    """The current data.police.uk outcome scheme; the pre-2017 names are mapped onto it (see vocab.py)."""

    NOT_RECORDED = "", "Not recorded"
    ARREST = "arrest", "Arrest"
    SUMMONS = "summons", "Summons / charged by post"
    CAUTION = "caution", "Caution (simple or conditional)"
    KHAT_OR_CANNABIS_WARNING = "khat_or_cannabis_warning", "Khat or Cannabis warning"
    PENALTY_NOTICE = "penalty_notice", "Penalty Notice for Disorder"
    COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
    NO_FURTHER_ACTION = "no_further_action", "A no further action disposal"


class Initiation(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    SELF_GENERATED = "self_generated", "Self-generated"
    DISPATCHED = "dispatched", "Dispatched"


# --- Use of force (Home Office use-of-force form, as in the annual "Police use of force" statistics) ---------


class UseOfForceTactic(TextChoices):
    TACTICAL_COMMUNICATIONS = "tactical_communications", "Tactical communications"
    HANDCUFFING_COMPLIANT = "handcuffing_compliant", "Compliant handcuffing"
    HANDCUFFING_NON_COMPLIANT = "handcuffing_non_compliant", "Non-compliant handcuffing"
    LIMB_BODY_RESTRAINTS = "limb_body_restraints", "Limb/body restraints"
    GROUND_RESTRAINT = "ground_restraint", "Ground restraint"
    UNARMED_SKILLS = "unarmed_skills", "Unarmed skills"
    SPIT_AND_BITE_GUARD = "spit_and_bite_guard", "Spit and bite guard"
    BATON_DRAWN = "baton_drawn", "Baton drawn"
    BATON_USED = "baton_used", "Baton used"
    IRRITANT_SPRAY_DRAWN = "irritant_spray_drawn", "Irritant spray drawn"
    IRRITANT_SPRAY_USED = "irritant_spray_used", "Irritant spray used"
    SHIELD = "shield", "Shield"
    POLICE_DOG_DEPLOYED = "police_dog_deployed", "Police dog deployed"
    POLICE_DOG_BITE = "police_dog_bite", "Police dog bite"
    TASER_DRAWN = "taser_drawn", "Taser (CED) drawn"
    TASER_AIMED = "taser_aimed", "Taser (CED) aimed"
    TASER_ARCED = "taser_arced", "Taser (CED) arced"
    TASER_RED_DOT = "taser_red_dot", "Taser (CED) red-dotted"
    TASER_DRIVE_STUN = "taser_drive_stun", "Taser (CED) drive-stun"
    TASER_ANGLE_DRIVE_STUN = "taser_angle_drive_stun", "Taser (CED) angle drive-stun"
    TASER_FIRED = "taser_fired", "Taser (CED) fired"
    AEP_AIMED = "aep_aimed", "AEP (attenuating energy projectile) aimed"
    AEP_FIRED = "aep_fired", "AEP (attenuating energy projectile) fired"
    FIREARM_AIMED = "firearm_aimed", "Firearm aimed"
    FIREARM_FIRED = "firearm_fired", "Firearm fired"
    OTHER_IMPROVISED = "other_improvised", "Other / improvised"


class UseOfForceImpactFactor(TextChoices):
    POSSESSION_OF_WEAPON = "possession_of_weapon", "Possession of a weapon"
    ALCOHOL = "alcohol", "Alcohol"
    DRUGS = "drugs", "Drugs"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PRIOR_KNOWLEDGE = "prior_knowledge", "Prior knowledge"
    SIZE_GENDER_BUILD = "size_gender_build", "Size, gender or build"
    ACUTE_BEHAVIOURAL_DISORDER = "acute_behavioural_disorder", "Acute behavioural disorder"
    CROWD = "crowd", "Crowd"
    OTHER = "other", "Other"


class UseOfForceReason(TextChoices):
    PROTECT_SELF = "protect_self", "Protect self"
    PROTECT_PUBLIC = "protect_public", "Protect public"
    PROTECT_SUBJECT = "protect_subject", "Protect subject"
    PROTECT_OTHER_OFFICERS = "protect_other_officers", "Protect other officers"
    PREVENT_OFFENCE = "prevent_offence", "Prevent offence"
    SECURE_EVIDENCE = "secure_evidence", "Secure evidence"
    EFFECT_SEARCH = "effect_search", "Effect search"
    EFFECT_ARREST = "effect_arrest", "Effect arrest"
    METHOD_OF_ENTRY = "method_of_entry", "Method of entry"
    REMOVE_HANDCUFFS = "remove_handcuffs", "Remove handcuffs"
    PREVENT_HARM = "prevent_harm", "Prevent harm"
    PREVENT_ESCAPE = "prevent_escape", "Prevent escape"
    OTHER = "other", "Other"


class InjurySeverity(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    NONE = "none", "No injury"
    MINOR = "minor", "Minor"
    SEVERE = "severe", "Severe"
    DEATH = "death", "Death"


class UseOfForceOutcome(TextChoices):
    NOT_RECORDED = "", "Not recorded"
    ARRESTED = "arrested", "Arrested"
    DETAINED_MENTAL_HEALTH_ACT = "detained_mha", "Detained under the Mental Health Act"
    HOSPITALISED = "hospitalised", "Hospitalised"
    FLED = "fled", "Fled"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    OTHER = "other", "Other"


class SubjectAgeBand(TextChoices):
    """The Home Office use-of-force age bands (different from data.police.uk's stop-and-search ranges)."""

    NOT_RECORDED = "", "Not recorded"
    A0_10 = "0_10", "0 to 10"
    A11_17 = "11_17", "11 to 17"
    A18_34 = "18_34", "18 to 34"
    A35_49 = "35_49", "35 to 49"
    A50_64 = "50_64", "50 to 64"
    A65_OVER = "65_over", "65 and over"


# --- Import batches -----------------------------------------------------------------------------------------


class BatchStatus(TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Importing"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
