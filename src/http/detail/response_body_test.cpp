#include "http/detail/response_body.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>

namespace crisisline::http::detail {
namespace {
namespace bhttp = boost::beast::http;

std::string Serialised(bhttp::response<ResponseBody>& res) {
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return out.str();
}

TEST(ResponseBodyTest, AnOwnedBodyIsSentWithItsLength) {
    bhttp::response<ResponseBody> res{bhttp::status::ok, 11};
    res.body().owned = R"({"services":[]})";
    const std::string text = Serialised(res);
    EXPECT_NE(text.find("Content-Length: 15\r\n"), std::string::npos) << text;
    EXPECT_TRUE(text.ends_with("\r\n\r\n{\"services\":[]}")) << text;
}

TEST(ResponseBodyTest, ASharedBodyIsSentAsItIsAndLeftUnchanged) {
    auto shared = std::make_shared<const std::string>(std::string(9000, 'x'));
    for (int i = 0; i < 2; ++i) {  // the same string in two responses
        bhttp::response<ResponseBody> res{bhttp::status::ok, 11};
        res.body().owned = "ignored while a shared body is set";
        res.body().shared = shared;
        const std::string text = Serialised(res);
        EXPECT_NE(text.find("Content-Length: 9000\r\n"), std::string::npos);
        EXPECT_TRUE(text.ends_with("\r\n\r\n" + *shared));
    }
    EXPECT_EQ(*shared, std::string(9000, 'x'));
    EXPECT_EQ(shared.use_count(), 1);
}

TEST(ResponseBodyTest, AnEmptyBodyWritesNothingAfterTheHeader) {
    bhttp::response<ResponseBody> res{bhttp::status::no_content, 11};
    res.body().shared = std::make_shared<const std::string>("dropped");
    res.body().Clear();
    const std::string text = Serialised(res);
    EXPECT_TRUE(text.ends_with("\r\n\r\n")) << text;
    EXPECT_EQ(text.find("dropped"), std::string::npos);
}

}  // namespace
}  // namespace crisisline::http::detail
