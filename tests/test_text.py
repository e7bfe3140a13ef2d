"""Text handling: normalisation, tokenising, stemming, language detection, the word analyzer."""

from __future__ import annotations

import pickle
import unicodedata

import pytest

from newsclf.text import WordAnalyzer, detect_language, normalize_text, stem, tokenize
from newsclf.text.tokenize import split_sentences

# --- normalize_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Árvíztűrő tükörfúrógép", "Fődíjat nyert a szegedi egyetem", "Éjjel-nappal működő üzlet"],
)
def test_decomposed_accents_normalize_to_the_same_nfc_text(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    nfc = unicodedata.normalize("NFC", text)
    assert nfd != nfc  # the input really is decomposed
    out = normalize_text(nfd)
    assert out == normalize_text(nfc) == nfc.lower()
    assert unicodedata.is_normalized("NFC", out)


def test_typographic_quotes_and_dashes_are_folded_to_ascii() -> None:
    text = "„Nem igaz” – mondta. ‘Soha’ — tette hozzá, «vége» “end” ‚x‘ 5 − 3"
    out = normalize_text(text)
    assert out == '"nem igaz" - mondta. \'soha\' - tette hozzá, "vége" "end" \'x\' 5 - 3'


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Gõz és tûz", "gőz és tűz"), ("hõség, fûtés", "hőség, fűtés"), ("ÕSZ ÛR", "ősz űr")],
)
def test_latin1_lookalikes_become_hungarian_double_acute(typed: str, expected: str) -> None:
    assert normalize_text(typed) == expected


def test_latin1_lookalike_capitals_keep_case_without_lowercasing() -> None:
    assert normalize_text("Õsz Ûr", lowercase=False) == "Ősz Űr"


def test_control_characters_are_removed() -> None:
    out = normalize_text("első\x00 második\x07\x1b harmadik\x7f negyedik\x85 ötödik")
    assert not any(unicodedata.category(ch) == "Cc" for ch in out)
    assert out.split() == ["első", "második", "harmadik", "negyedik", "ötödik"]


def test_soft_hyphen_zero_width_space_and_bom_vanish_inside_words() -> None:
    assert normalize_text("\ufeffBuda\u00adpest\u200bi") == "budapesti"


def test_whitespace_runs_collapse_to_single_spaces_and_are_stripped() -> None:
    assert normalize_text("  Az  árak\t\temelkednek,\n\n\u00a0a bérek\u2009nem.  ") == (
        "az árak emelkednek, a bérek nem."
    )


def test_normalize_lowercases_only_when_asked() -> None:
    assert normalize_text("Orbán Viktor") == "orbán viktor"
    assert normalize_text("Orbán Viktor", lowercase=False) == "Orbán Viktor"


def test_normalize_refuses_non_strings() -> None:
    with pytest.raises(TypeError, match="expected a string"):
        normalize_text(b"bytes")  # type: ignore[arg-type]


# --- tokenize and stem ----------------------------------------------------------------------


def test_tokenize_keeps_hyphenated_words_whole() -> None:
    tokens = tokenize("A Fidesz-KDNP well-known e-mailt küldött, don't panic.")
    assert tokens == ["a", "fidesz-kdnp", "well-known", "e-mailt", "küldött", "don't", "panic"]


def test_tokenize_drops_punctuation_and_underscores() -> None:
    assert tokenize("Hm... (igen) _x_ -- 2024!") == ["hm", "igen", "x", "2024"]


def test_hungarian_inflected_forms_share_one_stem() -> None:
    forms = ["Ukrajnában", "Ukrajnának", "Ukrajnát", "Ukrajnáról"]
    stems = {stem(form.lower(), "hu") for form in forms}
    assert len(stems) == 1
    assert stems.pop().startswith("ukrajn")


def test_english_inflected_forms_share_one_stem() -> None:
    assert stem("running", "en") == stem("runs", "en") == "run"
    assert stem("elections", "en") == stem("election", "en")


# --- detect_language ------------------------------------------------------------------------


def test_detect_language_recognises_hungarian() -> None:
    assert detect_language("A kormány szerint a javaslatot még nem fogadták el.") == "hu"


def test_detect_language_recognises_hungarian_without_stopwords_by_its_letters() -> None:
    assert detect_language("Győzött Ferencváros, ünnepeltek szurkolók") == "hu"


def test_detect_language_recognises_english() -> None:
    assert detect_language("The government said the proposal has not been accepted yet.") == "en"


@pytest.mark.parametrize("text", ["", "   ", "!?-"])
def test_detect_language_defaults_to_english_without_words(text: str) -> None:
    assert detect_language(text) == "en"


# --- WordAnalyzer ---------------------------------------------------------------------------


def test_word_analyzer_unigrams_and_bigrams() -> None:
    analyzer = WordAnalyzer(lang="hu", ngram_range=(1, 2), stem=False, stopwords=False)
    assert analyzer("Az árak tovább emelkedtek") == [
        "az",
        "árak",
        "tovább",
        "emelkedtek",
        "az árak",
        "árak tovább",
        "tovább emelkedtek",
    ]


def test_word_analyzer_bigrams_only_when_min_n_is_two() -> None:
    analyzer = WordAnalyzer(lang="en", ngram_range=(2, 3), stem=False, stopwords=False)
    assert analyzer("rates rose again") == ["rates rose", "rose again", "rates rose again"]


def test_word_analyzer_ngrams_longer_than_text_are_empty() -> None:
    analyzer = WordAnalyzer(lang="en", ngram_range=(3, 3), stem=False, stopwords=False)
    assert analyzer("two words") == []


def test_hungarian_stopwords_are_removed_but_negation_nem_is_kept() -> None:
    terms = WordAnalyzer(lang="hu", stem=False)("A kormány nem fogadta el a javaslatot.")
    assert "nem" in terms
    assert "a" not in terms and "el" not in terms
    assert terms == ["kormány", "nem", "fogadta", "javaslatot"]


def test_english_stopwords_are_removed_but_negation_not_is_kept() -> None:
    terms = WordAnalyzer(lang="en", stem=False)("The minister has not resigned and never will.")
    assert "not" in terms and "never" in terms
    assert "the" not in terms and "and" not in terms


def test_word_analyzer_auto_language_stems_each_document_in_its_own_language() -> None:
    analyzer = WordAnalyzer(lang="auto")
    assert stem("ukrajnában", "hu") in analyzer("A háború Ukrajnában folytatódik.")
    assert "run" in analyzer("The candidates are running for office.")


def test_word_analyzer_pickles_and_keeps_its_behaviour() -> None:
    analyzer = WordAnalyzer(lang="hu", ngram_range=(1, 2), stem=True, stopwords=True)
    restored = pickle.loads(pickle.dumps(analyzer))
    doc = "Ukrajnában nem ért véget a háború."
    assert restored(doc) == analyzer(doc)
    assert repr(restored) == repr(analyzer)


@pytest.mark.parametrize(
    "kwargs", [{"lang": "de"}, {"ngram_range": (2, 1)}, {"ngram_range": (0, 2)}]
)
def test_word_analyzer_rejects_bad_settings(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        WordAnalyzer(**kwargs)


def test_detect_language_reads_only_the_first_words() -> None:
    from newsclf.text.lang import LANGUAGE_WORDS

    english = "the government said that it was not ready " * (LANGUAGE_WORDS // 8 + 1)
    hungarian = "a kormány szerint még nem és hogy " * 200
    assert detect_language(english + hungarian) == "en"
    assert detect_language(hungarian + english) == "hu"


def test_language_guess_is_the_sum_of_per_word_evidence() -> None:
    from newsclf.text.lang import language_of_normalized, word_language_evidence

    text = normalize_text("Győzött a Ferencváros, and the fans were happy: éljen!")
    hu = sum(word_language_evidence(w)[0] for w in text.split())
    en = sum(word_language_evidence(w)[1] for w in text.split())
    other = sum(word_language_evidence(w)[2] for w in text.split())
    assert other < max(hu, en)
    assert language_of_normalized(text) == ("hu" if hu > en else "en")
    # á is Spanish and Catalan too; ő is Hungarian only
    assert word_language_evidence("ferencváros,") == (0.5, 0.0, 0.5)
    assert word_language_evidence("győzött") == (1.0, 0.0, 0.5)
    assert word_language_evidence("the") == (0.0, 1.0, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "El gobierno dijo que la propuesta no ha sido aceptada todavía.",
        "Los soldados norcoreanos luchan en Rusia junto a las tropas rusas.",
        "El govern ha dit que la proposta encara no ha estat acceptada pels partits.",
        "El Barça guanya la lliga per cinquena vegada",
        "Die Regierung sagte, dass der Vorschlag noch nicht angenommen wurde.",
        "Nordkorea schickt Soldaten nach Russland",
    ],
)
def test_detect_language_answers_other_for_spanish_catalan_and_german(text: str) -> None:
    # their accented letters (á, é, ö, ü) are Hungarian too: without "other" they were
    # stemmed as Hungarian
    assert detect_language(text) == "other"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Észak-Korea nem küld katonákat Oroszországba", "hu"),
        ("Észak-koreai katonák harcolnak Oroszország oldalán", "hu"),
        ("Putyin ellen tüntettek", "hu"),
        ("North Korean troops are training in Russia", "en"),
    ],
)
def test_detect_language_keeps_short_hungarian_and_english_claims(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_other_language_text_is_neither_stemmed_nor_stopworded() -> None:
    analyzer = WordAnalyzer(lang="auto")
    text = "Los soldados norcoreanos luchan en Rusia junto a las tropas rusas."
    assert analyzer.terms(text) == tokenize(text)
    assert stem("soldados", "other") == "soldados"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["not", "no", "never", "cannot", "against", "without", "nor", "nothing"]),
        ("hu", ["nem", "sem", "se", "nincs", "ellen", "nélkül", "soha", "senki", "semmi"]),
    ],
)
def test_stopword_lists_keep_negations_and_stance_words(lang: str, words: list[str]) -> None:
    from newsclf.text.stopwords import STANCE_WORDS, STOPWORDS

    assert set(words) <= STANCE_WORDS[lang]
    assert not set(words) & STOPWORDS[lang]
    stems = WordAnalyzer(lang=lang, stem=False).terms(" ".join(words))
    assert stems == words


@pytest.mark.parametrize("lang", ["hu", "en"])
def test_compiled_stemmer_gives_the_pure_python_snowball_stems(lang: str) -> None:
    # PyStemmer (a dependency, for speed) and snowballstemmer's Python code must agree, or
    # models would depend on which one an environment happens to have
    Stemmer = pytest.importorskip("Stemmer")
    from snowballstemmer.english_stemmer import EnglishStemmer
    from snowballstemmer.hungarian_stemmer import HungarianStemmer

    from newsclf.data import demo_path, read_records

    words = sorted({w for r in read_records(demo_path()) for w in tokenize(r.text)})
    python = (HungarianStemmer if lang == "hu" else EnglishStemmer)()
    compiled = Stemmer.Stemmer("hungarian" if lang == "hu" else "english")
    assert len(words) > 5000
    assert compiled.stemWords(words) == [python.stemWord(w) for w in words]
    assert [stem(w, lang) for w in words[:200]] == [python.stemWord(w) for w in words[:200]]


def test_split_sentences_keeps_text_without_punctuation_whole() -> None:
    assert split_sentences("egy mondat pont nélkül") == ["egy mondat pont nélkül"]
    assert split_sentences("Első mondat. Második mondat!\nHarmadik") == [
        "Első mondat.",
        "Második mondat!",
        "Harmadik",
    ]
