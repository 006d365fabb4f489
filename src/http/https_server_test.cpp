// The Server under TLS: what a client verifying the server's certificate sees.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/detail/test_pair.hpp"
#include "http/server.hpp"

namespace crisisline::http {
namespace {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using detail::TestPair;

// One TLS connection that trusts exactly `trusted` (a self-signed certificate file).
class TlsClient {
public:
    TlsClient(std::uint16_t port, const std::string& trusted, int version = TLS1_2_VERSION)
        : context_(ClientContext(trusted, version)), stream_(ioc_, context_) {
        stream_.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        stream_.handshake(ssl::stream_base::client, handshake_error_);
    }

    const beast::error_code& HandshakeError() const { return handshake_error_; }

    bhttp::response<bhttp::string_body> Get(const std::string& target) {
        bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
        request.set(bhttp::field::host, "127.0.0.1");
        bhttp::write(stream_, request);
        bhttp::response<bhttp::string_body> response;
        bhttp::read(stream_, buffer_, response);
        return response;
    }

    // The DER of the certificate the server presented.
    std::string PeerCertificate() {
        X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
        unsigned char* der = nullptr;
        const int length = i2d_X509(cert, &der);
        std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
        OPENSSL_free(der);
        X509_free(cert);
        return out;
    }

private:
    // Set up before the stream is made from it: an SSL object copies its context's settings when it is created.
    static ssl::context ClientContext(const std::string& trusted, int version) {
        ssl::context context(ssl::context::tls_client);
        context.load_verify_file(trusted);
        context.set_verify_mode(ssl::verify_peer);
        SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_VERSION);
        SSL_CTX_set_max_proto_version(context.native_handle(), version);
        SSL_CTX_set_security_level(context.native_handle(), 0);  // so that an old version is the server's refusal
        return context;
    }

    net::io_context ioc_;
    ssl::context context_;
    ssl::stream<tcp::socket> stream_;
    beast::flat_buffer buffer_;
    beast::error_code handshake_error_;
};

class HttpsServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/crisisline-https-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        first_ = std::make_unique<TestPair>(dir_, "first", 1);
        router_->Add("GET", "/api/cookie", [](Request, Respond respond) {
            Response response = Response::Json(200, nlohmann::json::object());
            response.headers.emplace_back("Set-Cookie", "plain=1; Path=/; HttpOnly; SameSite=Strict");
            response.headers.emplace_back("Set-Cookie", "marked=1; Secure; Path=/");
            respond(std::move(response));
        });
        ServerOptions options;
        options.tls = {(dir_ / "server.pem").string(), (dir_ / "server-key.pem").string()};
        std::filesystem::copy_file(first_->Certificate(), options.tls.certificate);
        std::filesystem::copy_file(first_->Key(), options.tls.key);
        server_ = std::make_unique<Server>(options, router_);
        auto started = server_->Start();
        ASSERT_TRUE(started) << started.error().message;
        files_ = options.tls;
    }

    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::filesystem::path dir_;
    std::unique_ptr<TestPair> first_;
    TlsFiles files_;
    std::shared_ptr<Router> router_ = std::make_shared<Router>();
    std::unique_ptr<Server> server_;
};

TEST_F(HttpsServerTest, AnswersWithStrictTransportSecurityAndSecureCookies) {
    ASSERT_TRUE(server_->Secure());
    TlsClient client(server_->Port(), first_->Certificate());
    ASSERT_FALSE(client.HandshakeError()) << client.HandshakeError().message();
    auto reply = client.Get("/api/cookie");
    EXPECT_EQ(reply.result_int(), 200U);
    EXPECT_EQ(reply[bhttp::field::strict_transport_security], kStrictTransportSecurity);
    std::vector<std::string> cookies;
    for (const auto& field : reply) {
        if (field.name() == bhttp::field::set_cookie) {
            cookies.emplace_back(field.value());
        }
    }
    EXPECT_EQ(cookies, (std::vector<std::string>{"plain=1; Path=/; HttpOnly; SameSite=Strict; Secure",
                                                 "marked=1; Secure; Path=/"}));
    // The server's own answers too, on the same connection.
    auto missing = client.Get("/api/no-such-route");
    EXPECT_EQ(missing.result_int(), 404U);
    EXPECT_EQ(missing[bhttp::field::strict_transport_security], kStrictTransportSecurity);
}

TEST_F(HttpsServerTest, RefusesTls11) {
    TlsClient old(server_->Port(), first_->Certificate(), TLS1_1_VERSION);
    EXPECT_TRUE(old.HandshakeError());
    TlsClient current(server_->Port(), first_->Certificate(), TLS1_3_VERSION);
    EXPECT_FALSE(current.HandshakeError()) << current.HandshakeError().message();
}

TEST_F(HttpsServerTest, ReloadGivesNewConnectionsTheNewCertificateAndKeepsOpenOnes) {
    TlsClient before(server_->Port(), first_->Certificate());
    ASSERT_FALSE(before.HandshakeError());
    EXPECT_EQ(before.Get("/api/cookie").result_int(), 200U);
    const std::string first_der = before.PeerCertificate();

    TestPair second(dir_, "second", 2);
    std::filesystem::copy_file(second.Key(), files_.key, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(second.Certificate(), files_.certificate,
                               std::filesystem::copy_options::overwrite_existing);
    auto reloaded = server_->ReloadTls();
    ASSERT_TRUE(reloaded) << reloaded.error().message;

    TlsClient after(server_->Port(), second.Certificate());
    ASSERT_FALSE(after.HandshakeError()) << after.HandshakeError().message();
    EXPECT_NE(after.PeerCertificate(), first_der);
    // A client trusting only the old certificate no longer gets it on a new connection.
    TlsClient stale(server_->Port(), first_->Certificate());
    EXPECT_TRUE(stale.HandshakeError());
    // The connection opened before the reload carries on.
    EXPECT_EQ(before.Get("/api/cookie").result_int(), 200U);
    EXPECT_EQ(before.PeerCertificate(), first_der);
}

TEST_F(HttpsServerTest, AReloadThatFailsKeepsTheCertificate) {
    std::filesystem::permissions(files_.key, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
    auto reloaded = server_->ReloadTls();
    ASSERT_FALSE(reloaded);
    EXPECT_EQ(reloaded.error().field, "tls_key");
    TlsClient client(server_->Port(), first_->Certificate());
    EXPECT_FALSE(client.HandshakeError()) << client.HandshakeError().message();
}

TEST(PlainServerTest, RefusesPlainHttpOnEveryAddressUnlessAllowed) {
    auto router = std::make_shared<Router>();
    ServerOptions options;
    options.address = "0.0.0.0";
    auto refused = Server(options, router).Start();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "allow_plain_http");
    options.allow_plain_http = true;
    Server allowed(options, router);
    auto started = allowed.Start();
    EXPECT_TRUE(started) << started.error().message;
    EXPECT_FALSE(allowed.Secure());
    EXPECT_FALSE(allowed.ReloadTls());
}

}  // namespace
}  // namespace crisisline::http
