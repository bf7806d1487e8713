"""The linear classifier: one model for the intent and, for FAQs, the answer."""
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.linear_classifier import (
    MODEL_FILE,
    LinearIntentResponseClassifier,
    TextModel,
    fold_letters,
    word_text,
)
from components.spacy_tokenizer import BilingualSpacyTokenizer

# As in config.yml: the class defaults with C = 100.
CONFIG = {**LinearIntentResponseClassifier.get_default_config(), "C": 100}

# label -> examples; `faq/<key>` labels are answers of the retrieval intent `faq`.
EXAMPLES = {
    "faq/fee_who_pays": [
        "who has to pay tuition fees",
        "do international students pay tuition",
        "do I have to pay a fee to study here",
        "må jeg betale studieavgift",
        "hvem må betale studieavgift",
    ],
    "faq/application_deadline": [
        "when is the application deadline",
        "what is the deadline to apply",
        "hva er søknadsfristen",
        "når må jeg søke opptak",
        "når er fristen for å søke",
    ],
    "greet": ["hello", "hi there", "good morning", "hei", "god morgen", "hallo"],
    "goodbye": ["bye", "see you later", "goodbye", "ha det", "ha det bra", "snakkes"],
}
PARAPHRASES = [
    ("are international students required to pay tuition fees", "faq/fee_who_pays"),
    ("hvem må betale avgift for å studere", "faq/fee_who_pays"),
    ("what is the deadline for the application", "faq/application_deadline"),
    ("når er søknadsfristen for opptak", "faq/application_deadline"),
    ("hello there", "greet"),
    ("god morgen til deg", "greet"),
    ("bye bye", "goodbye"),
    ("ha det godt", "goodbye"),
]


def training_messages():
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, key = label.partition("/")
        for text in texts:
            data = {"text": text, "intent": intent}
            if key:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    return messages


@pytest.mark.parametrize("text, folded", [
    ("Søke på", "soke pa"),
    ("paa", "pa"),
    ("lærer", "laerer"),
    ("ÅR", "ar"),
    ("aar", "ar"),          # the old spelling of "år"
    ("Søknadsfrist", "soknadsfrist"),
    ("Bokmål", "bokmal"),
    ("Tuition FEE", "tuition fee"),
])
def test_fold_letters(text, folded):
    assert fold_letters(text) == folded


@pytest.fixture(scope="module")
def text_model():
    texts = [m.get("text") for m in training_messages()]
    labels = [m.get("intent_response_key") or m.get("intent") for m in training_messages()]
    return TextModel(CONFIG).fit(texts, [t.lower() for t in texts], labels)


@pytest.mark.parametrize("text, label", PARAPHRASES)
def test_text_model_predicts_unseen_paraphrases(text_model, text, label):
    ranked = text_model.probabilities(text, text.lower())
    assert ranked[0][0] == label


@pytest.mark.parametrize("text", [t for t, _ in PARAPHRASES])
def test_text_model_probabilities_are_sorted_and_sum_to_one(text_model, text):
    ranked = text_model.probabilities(text, text.lower())
    probabilities = [p for _, p in ranked]
    assert {label for label, _ in ranked} == set(EXAMPLES)  # every label, once
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)


@pytest.mark.parametrize("with_letters, without_letters, label", [
    ("når må jeg søke på studiet", "nar ma jeg soke pa studiet", "faq/application_deadline"),
    ("må jeg betale studieavgift for å studere", "maa jeg betale studieavgift for aa studere", "faq/fee_who_pays"),
])
def test_text_without_norwegian_letters_gets_the_same_label(text_model, with_letters, without_letters, label):
    with_ranked = text_model.probabilities(with_letters, with_letters)
    without_ranked = text_model.probabilities(without_letters, without_letters)
    assert with_ranked[0][0] == without_ranked[0][0] == label
    # Folded, both spellings are the same features: the same probabilities.
    assert [p for _, p in with_ranked] == pytest.approx([p for _, p in without_ranked])


# --- The Rasa component: create -> train -> load -> process, as the graph runs it. ---

@pytest.fixture(scope="module")
def tokenizer():
    return BilingualSpacyTokenizer.create(BilingualSpacyTokenizer.get_default_config(), None, None, None)


@pytest.fixture(scope="module")
def execution_context():
    return ExecutionContext(GraphSchema({}), model_id="test")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tokenizer, execution_context):
    """The component loaded from a storage it was trained into (by another instance)."""
    path = tmp_path_factory.mktemp("model_storage")
    resource = Resource("linear_classifier")
    training_data = tokenizer.process_training_data(TrainingData(training_examples=training_messages()))
    component = LinearIntentResponseClassifier.create(CONFIG, LocalModelStorage(path), resource, execution_context)
    assert component.train(training_data) == resource
    assert (path / resource.name / MODEL_FILE).is_file()
    return LinearIntentResponseClassifier.load(CONFIG, LocalModelStorage(path), resource, execution_context)


def processed(classifier, tokenizer, text):
    [message] = classifier.process(tokenizer.process([Message(data={"text": text})]))
    return message


def test_word_text_reads_the_spacy_tokens(tokenizer):
    message = tokenizer.process([Message(data={"text": "Hva er studieavgiften, f.eks.?", "detected_language": "nb"})])[0]
    assert message.get(TOKENS_NAMES["text"])  # the real path: tokens are there
    assert word_text(message) == "hva er studieavgiften f.eks."
    # Without tokens (no tokenizer in the pipeline) the lower-cased text stands in.
    assert word_text(Message(data={"text": "Hva er studieavgiften?"})) == "hva er studieavgiften?"


@pytest.mark.parametrize("text, label", PARAPHRASES)
def test_component_predicts_unseen_paraphrases(trained, tokenizer, text, label):
    message = processed(trained, tokenizer, text)
    intent, _, key = label.partition("/")
    assert message.get("intent")["name"] == intent
    if key:
        assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == label


@pytest.mark.parametrize("text, answer", [
    ("are international students required to pay tuition fees", "faq/fee_who_pays"),
    ("når er søknadsfristen for opptak", "faq/application_deadline"),
])
def test_a_faq_gets_the_best_answers_probability_and_a_normalised_answer_ranking(trained, tokenizer, text, answer):
    message = processed(trained, tokenizer, text)
    probabilities = dict(trained.model.probabilities(text, word_text(message)))
    faq_probabilities = {label: p for label, p in probabilities.items() if label.startswith("faq/")}

    # The intent's confidence is the best single answer's, not the sum over the answers.
    intent = message.get("intent")
    assert intent["name"] == "faq"
    assert intent["confidence"] == pytest.approx(probabilities[answer])
    assert intent["confidence"] < sum(faq_probabilities.values())

    # One entry per intent, best first, the FAQ collapsed to its best answer.
    ranking = message.get("intent_ranking")
    assert ranking[0] == intent
    assert sorted(r["name"] for r in ranking) == ["faq", "goodbye", "greet"]
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
    for entry in ranking[1:]:
        assert entry["confidence"] == pytest.approx(probabilities[entry["name"]])

    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    answers = selector["faq"]["ranking"]
    assert answers[0]["intent_response_key"] == answer
    assert {a["intent_response_key"] for a in answers} == set(faq_probabilities)
    assert sum(a["confidence"] for a in answers) == pytest.approx(1.0)  # normalised within the FAQs
    for a in answers:
        assert a["confidence"] == pytest.approx(
            faq_probabilities[a["intent_response_key"]] / sum(faq_probabilities.values()))
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == answer
    assert response["utter_action"] == f"utter_{answer}"
    assert response["confidence"] == pytest.approx(answers[0]["confidence"])
    assert {"intent", "intent_ranking", "response_selector"} <= message.output_properties


def test_a_plain_intent_still_ranks_the_faq_answers(trained, tokenizer):
    message = processed(trained, tokenizer, "hello there")
    probabilities = dict(trained.model.probabilities("hello there", word_text(message)))
    assert message.get("intent") == {"name": "greet", "confidence": pytest.approx(probabilities["greet"])}
    # The answers are ranked anyway: the FallbackClassifier or a later rule may use them.
    assert len(message.get("response_selector")["faq"]["ranking"]) == 2


def test_the_ranking_is_cut_to_ranking_length(tmp_path, tokenizer, execution_context):
    config = {**CONFIG, "ranking_length": 1}
    resource = Resource("short_ranking")
    classifier = LinearIntentResponseClassifier.create(config, LocalModelStorage(tmp_path), resource, execution_context)
    classifier.train(tokenizer.process_training_data(TrainingData(training_examples=training_messages())))
    message = processed(classifier, tokenizer, "what is the deadline for the application")
    assert message.get("intent_ranking") == [message.get("intent")]
    assert len(message.get("response_selector")["faq"]["ranking"]) == 1


@pytest.mark.parametrize("make_directory", [False, True])  # no resource at all / a resource without a model
def test_an_untrained_component_leaves_messages_unchanged(tmp_path, tokenizer, execution_context, make_directory):
    resource = Resource("never_trained")
    if make_directory:
        (tmp_path / resource.name).mkdir()
    classifier = LinearIntentResponseClassifier.load(CONFIG, LocalModelStorage(tmp_path), resource, execution_context)
    assert classifier.model is None
    [message] = tokenizer.process([Message(data={"text": "what is the deadline"})])
    before = dict(message.data)
    [after] = classifier.process([message])
    assert after is message and after.data == before
    assert after.get("intent") is None and after.get("response_selector") is None
