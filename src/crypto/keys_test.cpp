#include "crypto/keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace crisisline::crypto {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHexA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kHexB = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

std::string KeyBytes(const SecretKey& key) {
    return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

class KeysTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "crisisline-keys-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        ::unsetenv("CRISISLINE_SERVICE_KEY");
        ::unsetenv("CRISISLINE_AUDIT_KEY");
        ::unsetenv("CRISISLINE_LINE_KEY_NORTH_EAST");
    }
    void TearDown() override {
        ::unsetenv("CRISISLINE_SERVICE_KEY");
        ::unsetenv("CRISISLINE_AUDIT_KEY");
        ::unsetenv("CRISISLINE_LINE_KEY_NORTH_EAST");
        fs::remove_all(dir_);
    }

    std::string Path(const std::string& name) const { return dir_ + "/" + name; }

    void WriteFile(const std::string& name, const std::string& text, fs::perms perms) const {
        std::ofstream(Path(name)) << text;
        fs::permissions(Path(name), perms);
    }

    std::string dir_;
};

TEST_F(KeysTest, FromHexAcceptsExactly64HexCharacters) {
    auto key = SecretKey::FromHex(kHexA);
    ASSERT_TRUE(key);
    EXPECT_EQ(key->data()[0], 0x00);
    EXPECT_EQ(key->data()[31], 0x1f);
    EXPECT_TRUE(SecretKey::FromHex("FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100"));
    auto with_char_at_10 = [](char c) {
        std::string hex = kHexA;
        hex[10] = c;
        return hex;
    };
    const std::string bad[] = {"", std::string(kHexA).substr(2), std::string(kHexA) + "00", with_char_at_10('g'),
                               with_char_at_10(' ')};
    for (const auto& hex : bad) {
        auto refused = SecretKey::FromHex(hex);
        ASSERT_FALSE(refused) << "'" << hex << "'";
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalid) << "'" << hex << "'";
    }
}

TEST_F(KeysTest, GenerateGivesDifferentKeys) {
    EXPECT_NE(KeyBytes(SecretKey::Generate()), KeyBytes(SecretKey::Generate()));
}

TEST_F(KeysTest, MovingAKeyZeroesTheSource) {
    auto key = SecretKey::FromHex(kHexB);
    ASSERT_TRUE(key);
    SecretKey moved = std::move(*key);
    EXPECT_EQ(KeyBytes(*key), std::string(32, '\0'));  // NOLINT(bugprone-use-after-move): checking the wipe
    EXPECT_EQ(moved.data()[0], 0xff);
}

TEST_F(KeysTest, CreatedKeyFileIsMode0600AndLoadsBack) {
    auto created = CreateKeyFile(Path("k.key"));
    ASSERT_TRUE(created) << created.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(Path("k.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(fs::file_size(Path("k.key")), 65u);

    auto loaded = LoadKeyFile(Path("k.key"));
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(KeyBytes(*loaded), KeyBytes(*created));
}

TEST_F(KeysTest, CreateRefusesToOverwrite) {
    WriteFile("k.key", std::string(kHexA) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    auto created = CreateKeyFile(Path("k.key"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, ErrorCode::kConflict);
    EXPECT_EQ(KeyBytes(*LoadKeyFile(Path("k.key"))), KeyBytes(*SecretKey::FromHex(kHexA)));
}

TEST_F(KeysTest, LoadRefusesAFileOthersCanRead) {
    WriteFile("k.key", std::string(kHexA) + "\n",
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto loaded = LoadKeyFile(Path("k.key"));
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalid);
    EXPECT_NE(loaded.error().message.find("chmod 600 " + Path("k.key")), std::string::npos) << loaded.error().message;
}

TEST_F(KeysTest, LoadReportsMissingAndMalformedFiles) {
    auto missing = LoadKeyFile(Path("none.key"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    WriteFile("short.key", "abcd\n", fs::perms::owner_read | fs::perms::owner_write);
    auto malformed = LoadKeyFile(Path("short.key"));
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, ErrorCode::kInvalid);

    WriteFile("nonewline.key", kHexA, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_TRUE(LoadKeyFile(Path("nonewline.key")));
}

TEST_F(KeysTest, KeyringServiceKeyIsCreatedOnlyWhenAsked) {
    Keyring refusing(dir_);
    auto refused = refusing.LoadService(false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);

    Keyring creating(dir_);
    ASSERT_TRUE(creating.LoadService(true));
    Keyring reloading(dir_);
    ASSERT_TRUE(reloading.LoadService(false));
    EXPECT_EQ(KeyBytes(reloading.Service()), KeyBytes(creating.Service()));
}

TEST_F(KeysTest, KeyringAuditKeyIsItsOwnFileApartFromTheServiceKey) {
    Keyring refusing(dir_);
    auto refused = refusing.LoadAudit(false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(refused.error().message.find("CRISISLINE_AUDIT_KEY"), std::string::npos) << refused.error().message;

    Keyring creating(dir_);
    ASSERT_TRUE(creating.LoadService(true));
    ASSERT_TRUE(creating.LoadAudit(true));
    EXPECT_NE(KeyBytes(creating.Audit()), KeyBytes(creating.Service()));
    struct stat st {};
    ASSERT_EQ(::stat(Path("audit.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    Keyring reloading(dir_);
    ASSERT_TRUE(reloading.LoadAudit(false));
    EXPECT_EQ(KeyBytes(reloading.Audit()), KeyBytes(creating.Audit()));

    ::setenv("CRISISLINE_AUDIT_KEY", kHexB, 1);
    Keyring from_env(dir_);
    ASSERT_TRUE(from_env.LoadAudit(false));
    EXPECT_EQ(KeyBytes(from_env.Audit()), KeyBytes(*SecretKey::FromHex(kHexB)));
}

TEST_F(KeysTest, KeyringPrefersTheEnvironment) {
    WriteFile("service.key", std::string(kHexA) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    WriteFile("line-north-east.key", std::string(kHexA) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    ::setenv("CRISISLINE_SERVICE_KEY", kHexB, 1);
    ::setenv("CRISISLINE_LINE_KEY_NORTH_EAST", kHexB, 1);

    Keyring keys(dir_);
    ASSERT_TRUE(keys.LoadService(false));
    EXPECT_EQ(KeyBytes(keys.Service()), KeyBytes(*SecretKey::FromHex(kHexB)));
    auto line = keys.Line("north-east");
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(KeyBytes(**line), KeyBytes(*SecretKey::FromHex(kHexB)));

    ::unsetenv("CRISISLINE_LINE_KEY_NORTH_EAST");
    Keyring from_files(dir_);
    auto file_line = from_files.Line("north-east");
    ASSERT_TRUE(file_line);
    EXPECT_EQ(KeyBytes(**file_line), KeyBytes(*SecretKey::FromHex(kHexA)));
}

TEST_F(KeysTest, KeyringRefusesAMalformedVariableRatherThanFallingBack) {
    WriteFile("service.key", std::string(kHexA) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    ::setenv("CRISISLINE_SERVICE_KEY", "not-a-key", 1);
    Keyring keys(dir_);
    auto loaded = keys.LoadService(false);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::kInvalid);
    EXPECT_NE(loaded.error().message.find("CRISISLINE_SERVICE_KEY"), std::string::npos);
}

TEST_F(KeysTest, KeyringCreatesCachesAndReportsLineKeys) {
    Keyring keys(dir_);
    auto none = keys.Line("north-east");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(none.error().message.find(dir_), std::string::npos) << "a client never sees a server path";
    auto checked = keys.CheckLines({"north-east"});
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().message.rfind("no key for line north-east: ", 0), 0u) << checked.error().message;

    ASSERT_TRUE(keys.CreateLine("north-east"));
    EXPECT_TRUE(fs::exists(Path("line-north-east.key")));
    auto first = keys.Line("north-east");
    auto second = keys.Line("north-east");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(*first, *second) << "the same cached key";

    auto again = keys.CreateLine("north-east");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);

    Keyring other(dir_);
    auto reloaded = other.Line("north-east");
    ASSERT_TRUE(reloaded);
    EXPECT_EQ(KeyBytes(**reloaded), KeyBytes(**first));
}

// An unsafe line key file is found when the server starts (CheckLines, with the fix for the operator), and a
// request that meets it later is told the line's key is unusable, never where the file is.
TEST_F(KeysTest, UnsafeLineKeyFileIsReportedToTheOperatorNotTheClient) {
    WriteFile("line-police.key", std::string(kHexA) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    WriteFile("line-fire.key", std::string(kHexA) + "\n",
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    Keyring keys(dir_);
    auto checked = keys.CheckLines({"police", "fire"});
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalid);
    EXPECT_NE(checked.error().message.find("chmod 600 " + Path("line-fire.key")), std::string::npos)
        << checked.error().message;
    auto used = keys.Line("fire");
    ASSERT_FALSE(used);
    EXPECT_EQ(used.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(used.error().message.find(dir_), std::string::npos) << used.error().message;
    EXPECT_TRUE(keys.Line("police")) << "the safe line still works";
}

TEST_F(KeysTest, KeyringRefusesLineIdsThatAreNotFileNames) {
    Keyring keys(dir_);
    for (const char* bad : {"", "../service", "a/b", "a.b", "north east"}) {
        auto line = keys.Line(bad);
        ASSERT_FALSE(line) << bad;
        EXPECT_EQ(line.error().code, ErrorCode::kInvalid) << bad;
        EXPECT_EQ(line.error().field, "line_id") << bad;
        EXPECT_FALSE(keys.CreateLine(bad)) << bad;
    }
    EXPECT_EQ(Keyring::LineVariable("north-east_2"), "CRISISLINE_LINE_KEY_NORTH_EAST_2");
}

}  // namespace
}  // namespace crisisline::crypto
