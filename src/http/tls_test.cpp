#include "http/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "http/detail/test_pair.hpp"
#include "http/detail/tls_context.hpp"

namespace crisisline::http {
namespace {

using detail::TestPair;

class TlsFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/crisisline-tls-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path dir_;
};

TEST_F(TlsFilesTest, AcceptsACertificateWithItsOwnKey) {
    TestPair pair(dir_, "a");
    EXPECT_TRUE(CheckTlsFiles(pair.Files()));
    auto context = detail::LoadTlsContext(pair.Files());
    ASSERT_TRUE(context) << context.error().message;
    EXPECT_EQ(SSL_CTX_get_min_proto_version((*context)->native_handle()), TLS1_2_VERSION);
}

TEST_F(TlsFilesTest, AcceptsAKeyOnlyItsOwnerMayRead) {
    TestPair pair(dir_, "a");
    ASSERT_EQ(::chmod(pair.Key().c_str(), 0400), 0);
    EXPECT_TRUE(CheckTlsFiles(pair.Files()));
}

TEST_F(TlsFilesTest, RefusesAKeyGroupOrOthersMayUse) {
    TestPair pair(dir_, "a");
    for (mode_t mode : {0640, 0604, 0644, 0660, 0666}) {
        ASSERT_EQ(::chmod(pair.Key().c_str(), mode), 0);
        auto checked = CheckTlsFiles(pair.Files());
        ASSERT_FALSE(checked) << std::oct << mode;
        EXPECT_EQ(checked.error().field, "tls_key") << std::oct << mode;
        EXPECT_NE(checked.error().message.find("chmod 600 " + pair.Key()), std::string::npos)
            << checked.error().message;
        EXPECT_FALSE(detail::LoadTlsContext(pair.Files())) << std::oct << mode;
    }
}

TEST_F(TlsFilesTest, RefusesAKeyThatIsNotTheCertificates) {
    TestPair a(dir_, "a");
    TestPair b(dir_, "b");
    const TlsFiles crossed{a.Certificate(), b.Key()};
    auto checked = CheckTlsFiles(crossed);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().field, "tls_key");
    EXPECT_NE(checked.error().message.find("is not the key of the certificate"), std::string::npos)
        << checked.error().message;
    EXPECT_FALSE(detail::LoadTlsContext(crossed));
}

TEST_F(TlsFilesTest, RefusesMissingHalfOrUnreadableFiles) {
    TestPair pair(dir_, "a");
    const std::string junk = (dir_ / "junk.pem").string();
    std::ofstream(junk) << "not a certificate\n";
    ::chmod(junk.c_str(), 0600);
    struct Case {
        const char* what;
        TlsFiles files;
        const char* field;
        const char* says;
    };
    const Case cases[] = {
        {"no key", {pair.Certificate(), ""}, "tls_key", "go together"},
        {"no certificate", {"", pair.Key()}, "tls_certificate", "go together"},
        {"missing key", {pair.Certificate(), (dir_ / "absent.pem").string()}, "tls_key", "cannot be opened"},
        {"missing certificate", {(dir_ / "absent.pem").string(), pair.Key()}, "tls_certificate", "cannot be opened"},
        {"junk certificate", {junk, pair.Key()}, "tls_certificate", "no PEM certificate"},
        {"junk key", {pair.Certificate(), junk}, "tls_key", "no unencrypted PEM private key"},
        {"a folder", {pair.Certificate(), dir_.string()}, "tls_key", "not a regular file"},
    };
    for (const Case& c : cases) {
        auto checked = CheckTlsFiles(c.files);
        ASSERT_FALSE(checked) << c.what;
        EXPECT_EQ(checked.error().field, c.field) << c.what;
        EXPECT_NE(checked.error().message.find(c.says), std::string::npos) << c.what << ": " << checked.error().message;
    }
}

TEST_F(TlsFilesTest, ReloadKeepsTheOldContextWhenTheNewFilesAreRefused) {
    TestPair pair(dir_, "a");
    auto first = detail::LoadTlsContext(pair.Files());
    ASSERT_TRUE(first);
    detail::TlsCredentials credentials(pair.Files(), *first);
    ASSERT_EQ(::chmod(pair.Key().c_str(), 0644), 0);
    EXPECT_FALSE(credentials.Reload());
    EXPECT_EQ(credentials.Current(), *first);
    ASSERT_EQ(::chmod(pair.Key().c_str(), 0600), 0);
    ASSERT_TRUE(credentials.Reload());
    EXPECT_NE(credentials.Current(), *first);
}

TEST(PlainListenerTest, PlainHttpOnlyOnLoopbackUnlessAllowed) {
    struct Case {
        const char* address;
        bool tls;
        bool allow;
        bool accepted;
    };
    const Case cases[] = {
        {"127.0.0.1", false, false, true}, {"127.0.0.7", false, false, true}, {"::1", false, false, true},
        {"0.0.0.0", false, false, false},  {"::", false, false, false},       {"192.0.2.10", false, false, false},
        {"0.0.0.0", false, true, true},    {"0.0.0.0", true, false, true},    {"192.0.2.10", true, false, true},
    };
    for (const Case& c : cases) {
        auto checked = CheckPlainListener(c.address, c.tls, c.allow);
        EXPECT_EQ(static_cast<bool>(checked), c.accepted) << c.address << " tls=" << c.tls << " allow=" << c.allow;
        if (!checked) {
            EXPECT_EQ(checked.error().field, "allow_plain_http");
            EXPECT_NE(checked.error().message.find("tls_certificate"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace crisisline::http
