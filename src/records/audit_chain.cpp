#include "records/audit_chain.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

#include <spdlog/spdlog.h>

#include "records/services.hpp"

namespace crisisline::records {

namespace {

constexpr const char* kBoundaryFile = "audit-unkeyed-until";

std::string Errno() {
    char buffer[256];
    return ::strerror_r(errno, buffer, sizeof buffer);
}

// Writes `text` at the end of `path` (creating it with `flags` added), then fsyncs it.
Result<void> WriteDurably(const std::string& path, const std::string& text, int flags) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, S_IRUSR | S_IWUSR);
    if (fd < 0) return Fail(ErrorCode::kInternal, "cannot open " + path + ": " + Errno());
    const char* data = text.data();
    size_t left = text.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = Errno();
            ::close(fd);
            return Fail(ErrorCode::kInternal, "cannot write " + path + ": " + why);
        }
        data += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const std::string why = Errno();
        ::close(fd);
        return Fail(ErrorCode::kInternal, "cannot sync " + path + ": " + why);
    }
    if (::close(fd) != 0) return Fail(ErrorCode::kInternal, "cannot close " + path + ": " + Errno());
    return {};
}

Result<std::int64_t> ReadBoundary(const std::string& path) {
    std::ifstream in(path);
    std::string text;
    if (!in || !std::getline(in, text)) return Fail(ErrorCode::kInternal, "cannot read " + path);
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        return Fail(ErrorCode::kInvalid, path + " does not hold a number (the seq the keyed audit chain follows)");
    }
    return std::stoll(text);
}

Result<std::int64_t> LastSeq(store::Store& store) {
    auto last = ReadOne<std::optional<store::AuditRow>>(store, [](store::Tx& tx) { return tx.LastAudit(); });
    if (!last) return tl::unexpected(last.error());
    return *last ? (*last)->seq : 0;
}

}  // namespace

Result<audit::ChainKey> OpenAuditChain(store::Store& store, crypto::Keyring& keys, const std::string& keys_dir) {
    const std::string boundary_path = keys_dir + "/" + kBoundaryFile;
    std::error_code ec;
    if (std::filesystem::exists(boundary_path, ec)) {
        auto boundary = ReadBoundary(boundary_path);
        if (!boundary) return tl::unexpected(boundary.error());
        if (auto loaded = keys.LoadAudit(false); !loaded) {
            if (loaded.error().code != ErrorCode::kUnavailable) return tl::unexpected(loaded.error());
            return Fail(ErrorCode::kUnavailable, "the audit log is keyed, but " + loaded.error().message +
                                                     ": restore audit.key from the backup of " + keys_dir +
                                                     " (a new key would make every keyed entry fail verification)");
        }
        return audit::ChainKey{&keys.Audit(), *boundary};
    }
    // First open by a crisisline with a keyed chain: what is in the log now stays as it was.
    auto last = LastSeq(store);
    if (!last) return tl::unexpected(last.error());
    // The key first: a crash before the boundary is written leaves a key and no keyed entry, which the
    // next open takes up again.
    if (auto loaded = keys.LoadAudit(true); !loaded) return tl::unexpected(loaded.error());
    if (auto written = WriteDurably(boundary_path, std::to_string(*last) + "\n", O_EXCL); !written) {
        return tl::unexpected(written.error());
    }
    if (*last > 0) {
        spdlog::info("audit log: keyed from entry {} on (entries 1 to {} keep their SHA-256 chain)", *last + 1, *last);
    }
    return audit::ChainKey{&keys.Audit(), *last};
}

Result<audit::Checkpoint> TakeCheckpoint(store::Store& store, const crypto::SecretKey& key, TimeMs now) {
    auto last = ReadOne<std::optional<store::AuditRow>>(store, [](store::Tx& tx) { return tx.LastAudit(); });
    if (!last) return tl::unexpected(last.error());
    if (!*last) return audit::SignCheckpoint(key, 0, audit::kGenesisHash, now);
    return audit::SignCheckpoint(key, (*last)->seq, (*last)->hash, now);
}

Result<void> AppendCheckpoint(const std::string& path, const audit::Checkpoint& checkpoint) {
    return WriteDurably(path, audit::FormatCheckpoint(checkpoint) + "\n", O_APPEND);
}

Result<std::vector<audit::Checkpoint>> ParseCheckpoints(std::string_view text,
                                                        const crypto::SecretKey& key,
                                                        const std::string& source) {
    std::vector<audit::Checkpoint> out;
    size_t number = 0;
    while (!text.empty()) {
        ++number;
        const size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        auto checkpoint = audit::ParseCheckpoint(line);
        if (!checkpoint && checkpoint.error().code == ErrorCode::kNotFound) continue;
        const std::string where = source + " line " + std::to_string(number);
        if (!checkpoint) return Fail(ErrorCode::kInvalid, "checkpoint", where + ": " + checkpoint.error().message);
        if (!audit::CheckpointAuthentic(key, *checkpoint)) {
            return Fail(ErrorCode::kInvalid, "checkpoint", where + ": the checkpoint was not signed with this audit key");
        }
        out.push_back(std::move(*checkpoint));
    }
    return out;
}

Result<std::vector<audit::Checkpoint>> ReadCheckpoints(const std::string& path, const crypto::SecretKey& key) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Fail(ErrorCode::kNotFound, "checkpoint file " + path + " does not exist");
    std::ifstream in(path);
    if (!in) return Fail(ErrorCode::kInternal, "cannot read checkpoint file " + path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ParseCheckpoints(text, key, path);
}

}  // namespace crisisline::records
