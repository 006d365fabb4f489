#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "media/frames.hpp"

// The recorded announcements the telephony plays, loaded once at start.
//
// Each prompt is the file <dir>/<name>.wav (8 kHz mono 16-bit PCM). The texts
// below are what scripts/render-prompts speaks (espeak-ng, voices en-gb and cy);
// an operator may replace any file with a recording of the same words (see
// docs/operations.md, "Telephony prompts"). <line name> is --line-name (default
// "Police Mental Health Crisis Line"; in Welsh "Llinell Argyfwng Iechyd Meddwl
// yr Heddlu").
//
//   greeting_en     "You have reached the <line name>. This call is confidential and independent of
//                    your force. If you are in immediate danger, please hang up and call 999. A
//                    counsellor will be with you shortly."
//   greeting_cy     "Rydych wedi cyrraedd <line name>. Mae'r alwad hon yn gyfrinachol ac yn annibynnol ar
//                    eich heddlu. Os ydych mewn perygl uniongyrchol, rhowch y ffôn i lawr a ffoniwch
//                    999. Bydd cwnselydd gyda chi cyn bo hir."
//   welsh_choice    "Pwyswch 1 am Gymraeg. Press 1 for Welsh."  (Welsh voice, then English voice)
//   reassurance_en  "A counsellor will be with you shortly. You are number"   (then number_N_en)
//   reassurance_cy  "Bydd cwnselydd gyda chi cyn bo hir. Chi yw rhif"          (then number_N_cy)
//   reconnecting_en "Sorry, the line to your counsellor was lost. Please stay on the line: the next
//                    counsellor will be with you shortly."   (the counsellor's connection failed mid-call;
//                    the caller goes back to the front of the queue)
//   reconnecting_cy "Mae'n ddrwg gennym, collwyd y cysylltiad â'ch cwnselydd. Arhoswch ar y lein: bydd y
//                    cwnselydd nesaf gyda chi cyn bo hir."
//   survey_intro_en "Your counsellor has ended the call. To help us improve this service, please stay on the
//                    line to answer two short questions with your keypad, or hang up now."   (the post-call
//                    survey, on a line that offers it, when the counsellor hangs up first)
//   survey_intro_cy "Mae eich cwnselydd wedi dod â'r alwad i ben. I'n helpu i wella'r gwasanaeth hwn, arhoswch
//                    ar y lein i ateb dau gwestiwn byr gyda'ch bysellbad, neu rhowch y ffôn i lawr nawr."
//   survey_helped_en "Did this call help you? Press a number from 1, not at all, to 5, very much."
//   survey_helped_cy "A wnaeth yr alwad hon eich helpu? Pwyswch rif o 1, dim o gwbl, i 5, yn fawr iawn."
//   survey_again_en "Would you call this line again if you needed to? Press 1 for yes, or 2 for no."
//   survey_again_cy "Fyddech chi'n ffonio'r llinell hon eto pe bai angen? Pwyswch 1 am ie, neu 2 am na."
//   survey_thanks_en "Thank you. Goodbye."
//   survey_thanks_cy "Diolch. Hwyl fawr."
//   number_1_en .. number_9_en   "one" .. "nine"
//   number_1_cy .. number_9_cy   "un", "dau", "tri", "pedwar", "pump", "chwech", "saith", "wyth", "naw"
//   hold            music-like hold audio, no words: a slow, quiet chord pattern (sox synth,
//                    licence-free), about 20 s, played in a loop
//
// A missing file is not an error: the prompt falls back to audio generated in
// code and a warning is added to PromptSet::warnings, so a line can run before
// its prompts are rendered. The fallbacks: spoken prompts become 1 s of silence;
// number_N becomes N short soft pips; hold becomes a generated slow chord pattern.
//
// Thread safety: a PromptSet is a plain value, safe to read from many threads once built.
namespace crisisline::media {

enum class PromptLanguage { kEnglish, kWelsh };

struct PromptSet {
    Prompt greeting_en;
    Prompt greeting_cy;
    Prompt welsh_choice;
    Prompt reassurance_en;
    Prompt reassurance_cy;
    Prompt reconnecting_en;
    Prompt reconnecting_cy;
    Prompt survey_intro_en, survey_intro_cy;
    Prompt survey_helped_en, survey_helped_cy;
    Prompt survey_again_en, survey_again_cy;
    Prompt survey_thanks_en, survey_thanks_cy;
    std::array<Prompt, 9> number_en;  // number_en[0] says "one"
    std::array<Prompt, 9> number_cy;
    Prompt hold;
    std::vector<std::string> warnings;   // one line per prompt that fell back to generated audio
    std::vector<std::string> fell_back;  // the names of those prompts

    // The prompt saying `n` (1..9); numbers past 9 say "nine" (the queue
    // announcement promises no more precision than that).
    // REQUIRES: n >= 1.
    const Prompt& Number(int n, PromptLanguage language) const;
    const Prompt& Greeting(PromptLanguage language) const;
    const Prompt& Reassurance(PromptLanguage language) const;
    const Prompt& Reconnecting(PromptLanguage language) const;
    // The post-call survey's prompts in order: 0 intro, 1 helped, 2 again, 3 thanks. REQUIRES: 0 <= step <= 3.
    const Prompt& Survey(int step, PromptLanguage language) const;
};

// Every prompt name above (its file is <name>.wav): 34 names.
std::vector<std::string> PromptNames();

// What prompt `name` says, as in the table above ("<line name>" left as written; hold is
// "hold audio (no words)"); "" when `name` is not a prompt.
std::string PromptText(const std::string& name);

// Loads every prompt from `dir`. A missing file falls back (see above) with a
// warning. On failure kInvalid naming the first file that exists but is not an
// 8 kHz mono 16-bit PCM WAV (or kInternal if it cannot be read): a bad
// recording stops start-up rather than playing noise to a caller.
[[nodiscard]] Result<PromptSet> LoadPromptSet(const std::string& dir);

// The generated hold pattern used when hold.wav is missing: soft chords, about 20 s.
Prompt GeneratedHold(std::string name);

}  // namespace crisisline::media
