using System.Text;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Runner;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>A message's few fields as two arrays: order, replacement, removal, copies, and the move to a dictionary past 16.</summary>
public sealed class FieldListTests
{
    [Fact]
    public void Setting_a_field_again_replaces_it_in_its_place_and_removing_one_keeps_the_others_order()
    {
        var list = new FieldList(2);
        foreach (var (name, value) in new[] { ("f1", 1.0), ("f2", 2.0), ("f3", 3.0), ("temp", 20.0) }) list.Set(name, value);
        list.Set(new string(['f', '2']), 22.0); // an equal name that is another string

        Assert.Equal(["f1", "f2", "f3", "temp"], list.Keys);
        Assert.Equal(22.0, list["f2"]);
        Assert.True(list.Remove("f1", out var removed));
        Assert.Equal(1.0, removed);
        Assert.False(list.Remove("f1", out _));
        Assert.Equal(["f2", "f3", "temp"], list.Select(p => p.Key));
        Assert.Equal([22.0, 3.0, 20.0], list.Values);
        Assert.Equal(3, list.Count);
    }

    [Fact]
    public void Renaming_keeps_the_field_s_place_and_renaming_onto_another_field_replaces_that_one()
    {
        var list = new FieldList();
        foreach (var (name, value) in new[] { ("hum", 40.0), ("temp", 20.0), ("a", 1.0), ("b", 2.0) }) list.Set(name, value);

        Assert.True(list.Rename("hum", "humidity"));
        Assert.True(list.Rename("a", "b"));
        Assert.True(list.Rename("temp", "temp"));
        Assert.False(list.Rename("missing", "x"));

        Assert.Equal(["humidity", "temp", "b"], list.Keys);
        Assert.Equal([40.0, 20.0, 1.0], list.Values);
        Assert.True(list.ContainsKey("humidity"));
        Assert.False(list.ContainsKey("hum"));
    }

    [Fact]
    public void Names_not_in_the_list_are_not_found_even_when_they_share_a_length_and_their_ends()
    {
        var list = new FieldList();
        list.Set("temp", 1.0);
        list.Set("tamp", 2.0); // the same length, first and last characters: the same bit

        Assert.True(list.TryGetValue("tamp", out var tamp));
        Assert.Equal(2.0, tamp);
        Assert.False(list.TryGetValue("timp", out _));
        Assert.False(list.ContainsKey("humidity"));
        Assert.False(list.ContainsKey(""));
        Assert.Throws<KeyNotFoundException>(() => list["humidity"]);
        Assert.Throws<ArgumentNullException>(() => list.ContainsKey(null!));
    }

    [Fact]
    public void A_copy_changes_apart_from_its_original()
    {
        var original = new FieldList();
        original.Set("temp", 20.0);
        original.Set("raw", "x");

        var copy = original.Copy(1);
        copy.Set("tempF", 68.0);
        copy.Remove("raw", out _);
        copy.Set("temp", 21.0);

        Assert.Equal(["temp", "raw"], original.Keys);
        Assert.Equal(20.0, original["temp"]);
        Assert.Equal(["temp", "tempF"], copy.Keys);
        Assert.Equal(21.0, copy["temp"]);
        Assert.Equal(copy.Keys, copy.ToDictionary().Keys);
    }

    [Fact]
    public void As_a_dictionary_adding_a_name_it_has_is_refused()
    {
        IDictionary<string, object?> list = new FieldList();
        list.Add("temp", 20.0);

        Assert.Throws<ArgumentException>(() => list.Add("temp", 21.0));
        Assert.Contains(new KeyValuePair<string, object?>("temp", 20.0), list);
        Assert.True(list.Remove("temp"));
        Assert.Empty(list);
    }

    [Fact]
    public void A_message_of_sixteen_fields_is_a_list_and_one_of_seventeen_a_dictionary_with_the_same_order_and_later_names_winning()
    {
        static string Json(int fields, string extra = "") =>
            "{" + string.Join(",", Enumerable.Range(1, fields).Select(i => $"\"f{i}\":{i}")) + extra + "}";

        var sixteen = Item(Json(16, ",\"f3\":33"));
        var seventeen = Item(Json(17, ",\"f3\":33,\"f17\":1717"));

        Assert.IsType<FieldList>(sixteen.Fields);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => $"f{i}"), sixteen.Fields.Keys);
        Assert.Equal(33.0, sixteen.Field("f3"));
        Assert.IsType<Dictionary<string, object?>>(seventeen.Fields);
        Assert.Equal(Enumerable.Range(1, 17).Select(i => $"f{i}"), seventeen.Fields.Keys);
        Assert.Equal((33.0, 1717.0), (seventeen.Field("f3"), seventeen.Field("f17")));
    }

    [Fact]
    public void Editing_a_message_s_fields_keeps_a_list_while_they_fit_and_leaves_the_item_as_it_was()
    {
        var item = Item("""{"temp":20,"raw":"x"}""");

        var fields = item.EditFields(1);
        fields["tempF"] = 68.0;
        fields.Remove("raw");
        var edited = item.WithFields((IReadOnlyDictionary<string, object?>)fields);

        Assert.IsType<FieldList>(edited.Fields);
        Assert.Equal(["temp", "tempF"], edited.Fields.Keys);
        Assert.Equal(["temp", "raw"], item.Fields.Keys);
        Assert.IsType<Dictionary<string, object?>>(Item("""{"a":1}""").EditFields(FieldList.MostFields));
    }

    private static WorkflowItem Item(string json) =>
        MessageItems.From(Guid.NewGuid(), "t/1", DateTimeOffset.UtcNow, null, null, Encoding.UTF8.GetBytes(json), null);
}
