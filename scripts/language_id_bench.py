"""Measure language identifiers for kg's ingest (issue 18; docs/reliability.md, "Languages").

Speed per article, memory, and accuracy on texts of our own writing in ten
languages, at several lengths, and on the English sentences of kg's tests
(which must never be judged foreign). Run from the repository's folder, in a
virtual environment holding the candidates (kg itself needs only lingua):

    python -m venv /tmp/lv && /tmp/lv/bin/pip install langid==1.1.6 langdetect==1.0.9 lingua-language-detector==2.1.1
    for c in langid langdetect lingua-low lingua-high; do /tmp/lv/bin/python scripts/language_id_bench.py $c; done
"""
from __future__ import annotations

import glob
import json
import re
import resource
import sys
import time

TEXTS = {
 "en": "The foreign ministers of Poland and Lithuania met in Vilnius on Tuesday to discuss the security of the border with Belarus. Both governments said they would increase patrols and share intelligence about migrants crossing the frontier. A spokesman for the Lithuanian ministry told reporters that talks with Warsaw had been productive and that a joint statement would follow next week.",
 "de": "Die Außenminister Polens und Litauens trafen sich am Dienstag in Vilnius, um über die Sicherheit der Grenze zu Belarus zu sprechen. Beide Regierungen erklärten, sie würden die Patrouillen verstärken und Informationen über Migranten austauschen, die die Grenze überqueren. Ein Sprecher des litauischen Ministeriums sagte, die Gespräche mit Warschau seien produktiv gewesen und eine gemeinsame Erklärung werde folgen.",
 "fr": "Les ministres des Affaires étrangères de la Pologne et de la Lituanie se sont rencontrés mardi à Vilnius pour discuter de la sécurité de la frontière avec la Biélorussie. Les deux gouvernements ont déclaré qu'ils renforceraient les patrouilles et partageraient des renseignements sur les migrants qui traversent la frontière. Un porte-parole du ministère lituanien a déclaré que les discussions avaient été productives.",
 "es": "Los ministros de Asuntos Exteriores de Polonia y Lituania se reunieron el martes en Vilna para hablar de la seguridad de la frontera con Bielorrusia. Ambos gobiernos dijeron que reforzarían las patrullas y compartirían información sobre los migrantes que cruzan la frontera. Un portavoz del ministerio lituano dijo a los periodistas que las conversaciones con Varsovia habían sido productivas.",
 "it": "I ministri degli Esteri di Polonia e Lituania si sono incontrati martedì a Vilnius per discutere della sicurezza del confine con la Bielorussia. Entrambi i governi hanno dichiarato che rafforzeranno i pattugliamenti e condivideranno informazioni sui migranti che attraversano il confine. Un portavoce del ministero lituano ha detto ai giornalisti che i colloqui con Varsavia sono stati produttivi.",
 "pt": "Os ministros dos Negócios Estrangeiros da Polónia e da Lituânia reuniram-se na terça-feira em Vilnius para discutir a segurança da fronteira com a Bielorrússia. Ambos os governos disseram que vão reforçar as patrulhas e partilhar informações sobre os migrantes que atravessam a fronteira. Um porta-voz do ministério lituano disse aos jornalistas que as conversações com Varsóvia foram produtivas.",
 "nl": "De ministers van Buitenlandse Zaken van Polen en Litouwen hebben dinsdag in Vilnius overlegd over de veiligheid van de grens met Wit-Rusland. Beide regeringen zeiden dat ze de patrouilles zullen uitbreiden en informatie zullen delen over migranten die de grens oversteken. Een woordvoerder van het Litouwse ministerie zei tegen verslaggevers dat de gesprekken met Warschau productief waren.",
 "pl": "Ministrowie spraw zagranicznych Polski i Litwy spotkali się we wtorek w Wilnie, aby omówić bezpieczeństwo granicy z Białorusią. Oba rządy zapowiedziały, że zwiększą liczbę patroli i będą wymieniać się informacjami o migrantach przekraczających granicę. Rzecznik litewskiego ministerstwa powiedział dziennikarzom, że rozmowy z Warszawą były owocne i że w przyszłym tygodniu zostanie wydane wspólne oświadczenie.",
 "ru": "Министры иностранных дел Польши и Литвы встретились во вторник в Вильнюсе, чтобы обсудить безопасность границы с Беларусью. Оба правительства заявили, что усилят патрулирование и будут обмениваться информацией о мигрантах, пересекающих границу. Представитель литовского министерства сообщил журналистам, что переговоры с Варшавой были продуктивными.",
 "tr": "Polonya ve Litvanya dışişleri bakanları salı günü Vilnius'ta bir araya gelerek Belarus sınırının güvenliğini görüştü. İki hükümet de devriyeleri artıracaklarını ve sınırı geçen göçmenler hakkında bilgi paylaşacaklarını açıkladı. Litvanya bakanlığının bir sözcüsü, Varşova ile yapılan görüşmelerin verimli geçtiğini söyledi.",
}
# Short texts: a headline-length sentence in each language.
SHORT = {
 "en": "Germany sent air defence systems to Ukraine on Monday.",
 "de": "Deutschland schickte am Montag Luftabwehrsysteme in die Ukraine.",
 "fr": "La France a envoyé lundi des systèmes de défense aérienne à l'Ukraine.",
 "es": "España envió el lunes sistemas de defensa aérea a Ucrania.",
 "it": "L'Italia ha inviato lunedì sistemi di difesa aerea all'Ucraina.",
 "pt": "Portugal enviou na segunda-feira sistemas de defesa aérea para a Ucrânia.",
 "nl": "Nederland stuurde maandag luchtverdedigingssystemen naar Oekraïne.",
 "pl": "Polska wysłała w poniedziałek systemy obrony powietrznej na Ukrainę.",
 "ru": "Германия в понедельник отправила Украине системы противовоздушной обороны.",
 "tr": "Almanya pazartesi günü Ukrayna'ya hava savunma sistemleri gönderdi.",
}


def detector(which: str):
    """A function text -> (ISO 639-1 code, confidence) for the candidate ``which``."""
    if which == "langid":
        from langid.langid import LanguageIdentifier, model

        ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
        return ident.classify
    if which == "langdetect":
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0  # else langdetect is random

        def detect(text):
            best = detect_langs(text)[0]
            return best.lang, best.prob

        return detect
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_all_languages()
    if which == "lingua-low":
        builder = builder.with_low_accuracy_mode()
    lingua = builder.build()

    def detect(text):
        best = lingua.compute_language_confidence_values(text)[0]
        return best.language.iso_code_639_1.name.lower(), best.value

    return detect


def windows(text: str, size: int) -> list[str]:
    """``text`` cut at word breaks into pieces of about ``size`` characters."""
    out, current = [], ""
    for word in text.split():
        if len(current) + len(word) + 1 > size:
            out.append(current)
            current = ""
        current = (current + " " + word).strip()
    return out


def main(which: str) -> None:
    started = time.perf_counter()
    detect = detector(which)
    detect("warm up")
    load = time.perf_counter() - started
    long_right = sum(detect(t)[0] == k for k, t in TEXTS.items())
    short_right = sum(detect(t)[0] == k for k, t in SHORT.items())
    english = [open(p, encoding="utf-8").read() for p in glob.glob("data/articles/*.txt") + glob.glob("data/articles/*.md")]
    english += [json.loads(line)["text"] for line in open("data/wire.jsonl", encoding="utf-8")]
    sentences = set()
    for path in glob.glob("tests/*.py"):
        for match in re.finditer(r'"([A-Z][^"\\]{15,300}\.)"', open(path, encoding="utf-8").read()):
            sentences.add(match.group(1))
    foreign = sum(detect(s)[0] != "en" for s in sentences)
    article = ((TEXTS["en"] + " ") * 11)[:4200]
    timings = {}
    for size in (4200, 1000):
        t = time.perf_counter()
        for _ in range(50):
            detect(article[:size])
        timings[size] = (time.perf_counter() - t) / 50 * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{which}: load {load:.2f} s; {timings[4200]:.2f} ms per 4.2 KB, {timings[1000]:.2f} ms per 1 KB; peak RSS {rss:.0f} MB; "
        f"right on {long_right}/{len(TEXTS)} paragraphs, {short_right}/{len(SHORT)} sentences; "
        f"{foreign}/{len(sentences)} English test sentences judged foreign"
    )
    for size in (60, 100, 150, 200, 300):
        pieces = [w for t in english for w in windows(t, size)]
        wrong = sum(detect(w)[0] != "en" for w in pieces)
        others = [(k, w) for k, t in TEXTS.items() if k != "en" for w in windows(t, size)]
        others_wrong = sum(detect(w)[0] != k for k, w in others)
        print(f"  ~{size} characters: English pieces wrong {wrong}/{len(pieces)}, other languages wrong {others_wrong}/{len(others)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lingua-low")
