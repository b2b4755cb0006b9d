using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

public class LabelMatcherTests
{
    [Theory]
    [InlineData(LabelMatchType.Equal, "abc", "abc", true)]
    [InlineData(LabelMatchType.Equal, "abc", "ab", false)]
    [InlineData(LabelMatchType.NotEqual, "abc", "ab", true)]
    [InlineData(LabelMatchType.Regex, "a.c", "abc", true)]
    [InlineData(LabelMatchType.Regex, "b", "abc", false)]
    [InlineData(LabelMatchType.Regex, "a|ab", "ab", true)]
    [InlineData(LabelMatchType.Regex, "abc", "abc\n", false)]
    [InlineData(LabelMatchType.Regex, "a.c", "a\nc", true)]
    [InlineData(LabelMatchType.Regex, "", "", true)]
    [InlineData(LabelMatchType.Regex, "[[:digit:]]+", "123", true)]
    [InlineData(LabelMatchType.Regex, "(?P<x>a)b", "ab", true)]
    [InlineData(LabelMatchType.NotRegex, "a.*", "abc", false)]
    [InlineData(LabelMatchType.NotRegex, "a.*", "", true)]
    public void Regexes_are_fully_anchored(LabelMatchType type, string value, string input, bool matches) =>
        Assert.Equal(matches, new LabelMatcher(type, "l", value).Matches(input));

    [Fact]
    public void Equality_is_by_type_name_and_value()
    {
        Assert.Equal(new LabelMatcher(LabelMatchType.Regex, "a", "b.*"), new LabelMatcher(LabelMatchType.Regex, "a", "b.*"));
        Assert.NotEqual(new LabelMatcher(LabelMatchType.Regex, "a", "b"), new LabelMatcher(LabelMatchType.Equal, "a", "b"));
        Assert.Equal("\"a.b\"!~\"x\"", new LabelMatcher(LabelMatchType.NotRegex, "a.b", "x").ToString());
    }
}
