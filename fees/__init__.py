"""NTNU tuition-fee rules (studieavgift), plain Python: no Rasa import.

The figures and dates live in `fees/data/fees.yml`, each rule beside the Norwegian sentence of
https://www.ntnu.no/studier/studieavgift it rests on; the modules here are small readers of it:

- `countries`  - EU/EEA/Switzerland membership (which of several citizenships exempts)
- `liability`  - who pays (citizenship, automatic exemptions 1-5, PhD, apply for exemption)
- `amounts`    - how much (price category, part-time share, credits)
- `quote`      - the two above together: "I'm Indian, I start in August, what will I pay?"
- `exemptions` - when to apply for exemption, deadline 15 September, days left
- `refunds`    - what comes back after a UDI refusal or a withdrawal
- `dates`      - the page's dates in a given year; `money` - NOK in both languages

Reading what people type (countries, dates, amounts, yes/no) is `entities/`, not here.

Every function returns a small dataclass (`fees.results`) with the outcome, the amount
(Decimal), the rule id, the seed sentence and its address. Texts for people live in Rasa
responses; when the page does not cover a case the outcome is "uncovered" with opptak@ntnu.no.
"""
from fees.amounts import annual_fee, credits_fee, semester_fee
from fees.countries import is_eu_eea_swiss
from fees.exemptions import exemption_application
from fees.liability import Situation, who_pays
from fees.money import format_nok
from fees.quote import fee_for
from fees.refunds import refund_for
from fees.results import Outcome

__all__ = [
    "Outcome",
    "Situation",
    "annual_fee",
    "credits_fee",
    "exemption_application",
    "fee_for",
    "format_nok",
    "is_eu_eea_swiss",
    "refund_for",
    "semester_fee",
    "who_pays",
]
