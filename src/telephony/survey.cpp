// The post-call survey: on a line that offers it, when the counsellor hangs up first, the caller who stays on
// hears two questions in the language they chose and answers each with a key; only counts are kept
// (records::CallLog::SurveyAnswered: line, month of the call, answer). The contact record was closed as
// "completed" when the counsellor hung up, so the survey changes nothing the counsellor or the reports see of the
// call. A caller who hangs up at any point simply goes; a key that is not an answer is ignored; no key within
// survey_wait_s skips to the thanks. An interrupted call (the counsellor's connection failed, the caller went back
// to the queue) is not surveyed then: only its last counsellor hanging up asks, so a caller is asked once.
#include <spdlog/spdlog.h>

#include "telephony/leg.hpp"
#include "telephony/switchboard.hpp"

namespace crisisline::telephony {
namespace {

media::PromptLanguage LanguageOf(const Call& call) {
    return call.language == acd::Language::kWelsh ? media::PromptLanguage::kWelsh : media::PromptLanguage::kEnglish;
}

// Replaces whatever plays to the caller with the prompts of `steps`.
void Play(Call& call, std::initializer_list<int> steps) {
    auto& playlist = call.caller->playlist;
    playlist.queue.clear();
    for (int step : steps) playlist.queue.push_back(&playlist.prompts->Survey(step, LanguageOf(call)));
    playlist.loop = nullptr;
    playlist.frame = 0;
}

}  // namespace

bool Switchboard::SurveyWanted(const Call& call, const Leg& gone) const {
    if (gone.kind != LegKind::kPhone || call.phase != CallPhase::kBridged || !call.caller ||
        call.caller->state == LegState::kGone) {
        return false;
    }
    auto line = lines_.find(call.record.line_id);
    return line != lines_.end() && line->second.post_call_survey;
}

void Switchboard::StartSurvey(Call& call) {
    spdlog::info("telephony: call {}: the counsellor hung up; the caller is offered the post-call survey", call.id);
    EndCall(call, "completed", true);
    if (call.phase != CallPhase::kSurvey) return;
    auto& playlist = call.caller->playlist;
    if (!playlist.prompts) playlist.prompts = prompts_;
    call.survey_step = 1;
    call.survey_deadline = 0;
    Play(call, {0, 1});
    ++counters_.surveys_offered;
}

void Switchboard::SurveyDigit(Call& call, int digit) {
    if (call.phase != CallPhase::kSurvey) return;
    if (call.survey_step == 1 && digit >= '1' && digit <= '5') {
        if (hooks_.call_log) {
            hooks_.call_log->SurveyAnswered(call.record.line_id, call.record.arrived_at,
                                            std::string("helped:") + static_cast<char>(digit));
        }
        ++counters_.survey_answers;
        call.survey_step = 2;
        call.survey_deadline = 0;
        Play(call, {2});
    } else if (call.survey_step == 2 && (digit == '1' || digit == '2')) {
        if (hooks_.call_log) {
            hooks_.call_log->SurveyAnswered(call.record.line_id, call.record.arrived_at,
                                            digit == '1' ? "call_again:yes" : "call_again:no");
        }
        ++counters_.survey_answers;
        call.survey_step = 3;
        call.survey_deadline = 0;
        Play(call, {3});
    }
}

void Switchboard::SurveyPromptsPlayed(Call& call) {
    if (call.phase != CallPhase::kSurvey || call.survey_deadline != 0) return;
    // After the thanks, at once; after a question, the wait for its key.
    call.survey_deadline = Now() + (call.survey_step >= 3 ? 0 : static_cast<std::int64_t>(config_.survey_wait_s) * 1000);
}

void Switchboard::SurveyTimers(std::int64_t now) {
    std::vector<std::string> due;
    for (const auto& [id, call] : calls_) {
        if (call->phase == CallPhase::kSurvey && call->survey_deadline != 0 && now >= call->survey_deadline) {
            due.push_back(id);
        }
    }
    for (const auto& id : due) {
        Call* call = FindCall(id);
        if (!call) continue;
        if (call->survey_step >= 3) {
            EndCall(*call, "completed");  // the thanks has played: the server hangs up (the record is untouched)
            continue;
        }
        call->survey_step = 3;  // no answer: nothing is counted for the questions left
        call->survey_deadline = 0;
        Play(*call, {3});
    }
}

}  // namespace crisisline::telephony
