#include "telephony/sip_tls.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace crisisline::telephony {
namespace {

namespace fs = std::filesystem;

// A self-signed P-256 certificate and its key written as PEM files (fictional name).
void WritePair(const fs::path& cert_path, const fs::path& key_path) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    ASSERT_NE(key, nullptr);
    X509* cert = X509_new();
    ASSERT_NE(cert, nullptr);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sip test (fictional)"),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
    FILE* c = std::fopen(cert_path.c_str(), "w");
    FILE* k = std::fopen(key_path.c_str(), "w");
    ASSERT_TRUE(c && k);
    PEM_write_X509(c, cert);
    PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(c);
    std::fclose(k);
    fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write);
    X509_free(cert);
    EVP_PKEY_free(key);
}

class SipTlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("crisisline-siptls-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        WritePair(dir_ / "a.pem", dir_ / "a-key.pem");
        WritePair(dir_ / "b.pem", dir_ / "b-key.pem");
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string Path(const char* name) const { return (dir_ / name).string(); }

    fs::path dir_;
    Counters counters_;
};

TEST_F(SipTlsTest, LoadsAMatchingPairAndNamesTheFileThatIsWrong) {
    auto ok = SipTls::Create(Path("a.pem"), Path("a-key.pem"), counters_);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_NE((*ok)->Context(), nullptr);

    auto mismatched = SipTls::Create(Path("a.pem"), Path("b-key.pem"), counters_);
    ASSERT_FALSE(mismatched);
    EXPECT_EQ(mismatched.error().field, "telephony.tls_key");
    EXPECT_NE(mismatched.error().message.find("b-key.pem"), std::string::npos) << mismatched.error().message;

    auto missing = SipTls::Create(Path("none.pem"), Path("a-key.pem"), counters_);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().field, "telephony.tls_certificate");
}

TEST_F(SipTlsTest, AReloadThatCannotLoadKeepsTheCertificateInUse) {
    auto tls = SipTls::Create(Path("a.pem"), Path("a-key.pem"), counters_);
    ASSERT_TRUE(tls) << tls.error().message;
    // The files are replaced by a mismatched pair: the reload fails and says which file.
    fs::copy_file(dir_ / "b.pem", dir_ / "a.pem", fs::copy_options::overwrite_existing);
    auto reloaded = (*tls)->Reload();
    ASSERT_FALSE(reloaded);
    EXPECT_EQ(reloaded.error().field, "telephony.tls_key");
    // A matching pair again: the reload succeeds.
    fs::copy_file(dir_ / "b-key.pem", dir_ / "a-key.pem", fs::copy_options::overwrite_existing);
    EXPECT_TRUE((*tls)->Reload());
}

TEST_F(SipTlsTest, ATrunksCaFileOrClientCertificateThatCannotBeReadNamesTheTrunk) {
    auto tls = SipTls::Create(Path("a.pem"), Path("a-key.pem"), counters_);
    ASSERT_TRUE(tls) << tls.error().message;
    records::Trunk carrier;
    carrier.name = "carrier";
    carrier.tls_ca = Path("b.pem");
    carrier.tls_certificate = Path("b.pem");
    carrier.tls_key = Path("b-key.pem");
    EXPECT_TRUE((*tls)->SetTrunks({carrier}));
    carrier.tls_ca = Path("none.pem");
    auto bad_ca = (*tls)->SetTrunks({carrier});
    ASSERT_FALSE(bad_ca);
    EXPECT_EQ(bad_ca.error().field, "telephony.trunk[carrier].tls_ca");
    carrier.tls_ca = Path("b.pem");
    carrier.tls_key = Path("a-key.pem");
    auto bad_pair = (*tls)->SetTrunks({carrier});
    ASSERT_FALSE(bad_pair);
    EXPECT_EQ(bad_pair.error().field, "telephony.trunk[carrier].tls_certificate");
}

}  // namespace
}  // namespace crisisline::telephony
