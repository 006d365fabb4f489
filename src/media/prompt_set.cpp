#include "media/prompt_set.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace crisisline::media {
namespace {

constexpr int kNumbers = 9;
constexpr uint32_t kSpokenFallbackMs = 1000;

std::string NumberName(int n, const char* language) { return "number_" + std::to_string(n) + "_" + language; }

// N pips of 120 ms at a soft 660 Hz, 180 ms apart, then a short rest: the count is audible without words.
Prompt Pips(std::string name, int n) {
    constexpr uint32_t kPipMs = 120;
    constexpr uint32_t kGapMs = 180;
    return Tone(std::move(name), 660.0, kPipMs, kGapMs, n * (kPipMs + kGapMs) + 200, 0.15);
}

// Loads one prompt into `slot`, or falls back to `fallback` with a warning when the file is missing.
template <class Fallback>
Result<void> LoadInto(const std::string& dir,
                      const std::string& name,
                      Prompt& slot,
                      PromptSet& set,
                      Fallback fallback) {
    const std::string path = dir + "/" + name + ".wav";
    auto loaded = LoadPrompt(name, path);
    if (loaded) {
        slot = std::move(*loaded);
        return {};
    }
    if (loaded.error().code != ErrorCode::kNotFound) return tl::unexpected(loaded.error());
    slot = fallback(name);
    set.fell_back.push_back(name);
    set.warnings.push_back("prompt '" + name + "': " + path +
                       " is missing; playing generated audio instead (run scripts/render-prompts " + dir + ")");
    return {};
}

}  // namespace

const Prompt& PromptSet::Number(int n, PromptLanguage language) const {
    const size_t at = static_cast<size_t>(std::clamp(n, 1, kNumbers) - 1);
    return language == PromptLanguage::kWelsh ? number_cy[at] : number_en[at];
}

const Prompt& PromptSet::Greeting(PromptLanguage language) const {
    return language == PromptLanguage::kWelsh ? greeting_cy : greeting_en;
}

const Prompt& PromptSet::Reassurance(PromptLanguage language) const {
    return language == PromptLanguage::kWelsh ? reassurance_cy : reassurance_en;
}

const Prompt& PromptSet::Reconnecting(PromptLanguage language) const {
    return language == PromptLanguage::kWelsh ? reconnecting_cy : reconnecting_en;
}

const Prompt& PromptSet::Survey(int step, PromptLanguage language) const {
    const bool cy = language == PromptLanguage::kWelsh;
    switch (step) {
        case 0: return cy ? survey_intro_cy : survey_intro_en;
        case 1: return cy ? survey_helped_cy : survey_helped_en;
        case 2: return cy ? survey_again_cy : survey_again_en;
        default: return cy ? survey_thanks_cy : survey_thanks_en;
    }
}

std::vector<std::string> PromptNames() {
    std::vector<std::string> names = {"greeting_en",      "greeting_cy",      "welsh_choice",    "reassurance_en",
                                      "reassurance_cy",   "reconnecting_en",  "reconnecting_cy", "survey_intro_en",
                                      "survey_intro_cy",  "survey_helped_en", "survey_helped_cy", "survey_again_en",
                                      "survey_again_cy",  "survey_thanks_en", "survey_thanks_cy"};
    for (const char* language : {"en", "cy"}) {
        for (int n = 1; n <= kNumbers; ++n) names.push_back(NumberName(n, language));
    }
    names.emplace_back("hold");
    return names;
}

std::string PromptText(const std::string& name) {
    static const std::array<const char*, kNumbers> kWelshNumbers = {"un",    "dau",   "tri",  "pedwar", "pump",
                                                                     "chwech", "saith", "wyth", "naw"};
    static const std::array<const char*, kNumbers> kEnglishNumbers = {"one", "two",   "three", "four", "five",
                                                                       "six", "seven", "eight", "nine"};
    if (name == "greeting_en") {
        return "You have reached the <line name>. This call is confidential and independent of your force. If you "
               "are in immediate danger, please hang up and call 999. A counsellor will be with you shortly.";
    }
    if (name == "greeting_cy") {
        return "Rydych wedi cyrraedd <line name>. Mae'r alwad hon yn gyfrinachol ac yn annibynnol ar eich heddlu. "
               "Os ydych mewn perygl uniongyrchol, rhowch y ffôn i lawr a ffoniwch 999. "
               "Bydd cwnselydd gyda chi cyn bo hir.";
    }
    if (name == "welsh_choice") return "Pwyswch 1 am Gymraeg. Press 1 for Welsh.";
    if (name == "reassurance_en") return "A counsellor will be with you shortly. You are number";
    if (name == "reassurance_cy") return "Bydd cwnselydd gyda chi cyn bo hir. Chi yw rhif";
    if (name == "reconnecting_en") {
        return "Sorry, the line to your counsellor was lost. Please stay on the line: the next counsellor will be "
               "with you shortly.";
    }
    if (name == "reconnecting_cy") {
        return "Mae'n ddrwg gennym, collwyd y cysylltiad â'ch cwnselydd. Arhoswch ar y lein: bydd y cwnselydd "
               "nesaf gyda chi cyn bo hir.";
    }
    if (name == "survey_intro_en") {
        return "Your counsellor has ended the call. To help us improve this service, please stay on the line to "
               "answer two short questions with your keypad, or hang up now.";
    }
    if (name == "survey_intro_cy") {
        return "Mae eich cwnselydd wedi dod â'r alwad i ben. I'n helpu i wella'r gwasanaeth hwn, arhoswch ar y lein "
               "i ateb dau gwestiwn byr gyda'ch bysellbad, neu rhowch y ffôn i lawr nawr.";
    }
    if (name == "survey_helped_en") return "Did this call help you? Press a number from 1, not at all, to 5, very much.";
    if (name == "survey_helped_cy") {
        return "A wnaeth yr alwad hon eich helpu? Pwyswch rif o 1, dim o gwbl, i 5, yn fawr iawn.";
    }
    if (name == "survey_again_en") return "Would you call this line again if you needed to? Press 1 for yes, or 2 for no.";
    if (name == "survey_again_cy") return "Fyddech chi'n ffonio'r llinell hon eto pe bai angen? Pwyswch 1 am ie, neu 2 am na.";
    if (name == "survey_thanks_en") return "Thank you. Goodbye.";
    if (name == "survey_thanks_cy") return "Diolch. Hwyl fawr.";
    if (name == "hold") return "hold audio (no words)";
    for (int n = 1; n <= kNumbers; ++n) {
        if (name == NumberName(n, "en")) return kEnglishNumbers[n - 1];
        if (name == NumberName(n, "cy")) return kWelshNumbers[n - 1];
    }
    return "";
}

Prompt GeneratedHold(std::string name) {
    // Four chords (C, A minor, F, G major), 5 s each, each swelling in and out
    // over a second: slow, quiet and with no melody to grow tiresome on repeat.
    constexpr std::array<std::array<double, 3>, 4> kChords = {{
        {261.63, 329.63, 392.00},
        {220.00, 261.63, 329.63},
        {174.61, 220.00, 261.63},
        {196.00, 246.94, 293.66},
    }};
    constexpr size_t kChordSamples = 5 * kSampleRate;
    constexpr double kSwell = 1.0 * kSampleRate;
    constexpr double kPeak = 0.05 * 32767.0;  // per note; about -20 dBFS for the chord
    std::vector<int16_t> pcm(kChords.size() * kChordSamples);
    for (size_t c = 0; c < kChords.size(); ++c) {
        for (size_t i = 0; i < kChordSamples; ++i) {
            const double t = static_cast<double>(i) / kSampleRate;
            const double envelope =
                std::min({1.0, static_cast<double>(i) / kSwell, static_cast<double>(kChordSamples - 1 - i) / kSwell});
            double sum = 0;
            for (double freq : kChords[c]) sum += std::sin(2.0 * std::numbers::pi * freq * t);
            pcm[c * kChordSamples + i] = static_cast<int16_t>(std::lround(kPeak * envelope * sum));
        }
    }
    return EncodePrompt(std::move(name), pcm);
}

Result<PromptSet> LoadPromptSet(const std::string& dir) {
    PromptSet set;
    auto spoken = [](const std::string& name) { return Silence(name, kSpokenFallbackMs); };
    const std::pair<const char*, Prompt*> kSpoken[] = {
        {"greeting_en", &set.greeting_en},       {"greeting_cy", &set.greeting_cy},
        {"welsh_choice", &set.welsh_choice},     {"reassurance_en", &set.reassurance_en},
        {"reassurance_cy", &set.reassurance_cy}, {"reconnecting_en", &set.reconnecting_en},
        {"reconnecting_cy", &set.reconnecting_cy},
        {"survey_intro_en", &set.survey_intro_en},   {"survey_intro_cy", &set.survey_intro_cy},
        {"survey_helped_en", &set.survey_helped_en}, {"survey_helped_cy", &set.survey_helped_cy},
        {"survey_again_en", &set.survey_again_en},   {"survey_again_cy", &set.survey_again_cy},
        {"survey_thanks_en", &set.survey_thanks_en}, {"survey_thanks_cy", &set.survey_thanks_cy},
    };
    for (const auto& [name, slot] : kSpoken) {
        if (auto r = LoadInto(dir, name, *slot, set, spoken); !r) return tl::unexpected(r.error());
    }
    for (int n = 1; n <= kNumbers; ++n) {
        auto pips = [n](const std::string& name) { return Pips(name, n); };
        if (auto r = LoadInto(dir, NumberName(n, "en"), set.number_en[n - 1], set, pips); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = LoadInto(dir, NumberName(n, "cy"), set.number_cy[n - 1], set, pips); !r) {
            return tl::unexpected(r.error());
        }
    }
    if (auto r = LoadInto(dir, "hold", set.hold, set, [](const std::string& name) { return GeneratedHold(name); });
        !r) {
        return tl::unexpected(r.error());
    }
    return set;
}

}  // namespace crisisline::media
