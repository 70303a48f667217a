using Ciaf.Metadata.Capture;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Capture;

public interface IPreprocessor
{
    [CaptureMetadata("my_model", "preprocessing", "data_cleaning", CaptureResult = true)]
    int Clean(string path, bool removeOutliers, string apiKey);

    [CaptureMetadata("my_model", "preprocessing", "async_cleaning")]
    Task<int> CleanAsync(string path);

    [CaptureMetadata("my_model", "preprocessing", "async_void_cleaning")]
    Task CleanQuietlyAsync(string path);

    [CaptureMetadata("my_model", "preprocessing", "value_cleaning", CaptureResult = true)]
    ValueTask<string> CleanValueAsync(string path);

    [CaptureMetadata("my_model", "preprocessing", "failing")]
    Task<int> FailAsync();

    [CaptureMetadata("my_model", "preprocessing", "failing_sync")]
    void Fail();

    int NotCaptured(int x);
}

public sealed class Preprocessor : IPreprocessor
{
    public static readonly InvalidDataException Boom = new("corrupt");

    public int Clean(string path, bool removeOutliers, string apiKey) => path.Length;

    public async Task<int> CleanAsync(string path)
    {
        await Task.Delay(10);
        return path.Length * 2;
    }

    public async Task CleanQuietlyAsync(string path) => await Task.Yield();

    public async ValueTask<string> CleanValueAsync(string path)
    {
        await Task.Yield();
        return path.ToUpperInvariant();
    }

    public async Task<int> FailAsync()
    {
        await Task.Yield();
        throw Boom;
    }

    public void Fail() => throw Boom;

    public int NotCaptured(int x) => x + 1;
}

public sealed class InterceptTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MetadataStorage _storage;
    private readonly IPreprocessor _proxy;

    public InterceptTests()
    {
        _storage = new MetadataStorage(_temp.Path, "json");
        _proxy = MetadataCapture.Intercept<IPreprocessor>(new Preprocessor(), _storage);
    }

    public void Dispose()
    {
        _storage.Dispose();
        _temp.Dispose();
    }

    private MetadataRecord Single(string eventType) =>
        Assert.Single(_storage.GetModelMetadata("my_model", "preprocessing", limit: null), r => r.EventType == eventType);

    [Fact]
    public void Intercept_SyncMethod_CapturesParametersResultAndFunctionInfo()
    {
        int n = _proxy.Clean("data.csv", true, "k-123");

        Assert.Equal(8, n);
        var r = Single("data_cleaning");
        Assert.Equal("data.csv", (string?)r.Metadata["function_parameters"]!["path"]);
        Assert.True((bool)r.Metadata["function_parameters"]!["removeOutliers"]!);
        Assert.Equal("[REDACTED]", (string?)r.Metadata["function_parameters"]!["apiKey"]);
        Assert.Equal(8, (int)r.Metadata["result"]!);
        Assert.Equal("Clean", (string?)r.Metadata["function_name"]);
        Assert.Equal(typeof(Preprocessor).FullName, (string?)r.Metadata["function_module"]);
    }

    [Fact]
    public async Task Intercept_TaskOfT_CapturedWhenTaskCompletes()
    {
        int n = await _proxy.CleanAsync("abc");

        Assert.Equal(6, n);
        var r = Single("async_cleaning");
        Assert.True((double)r.Metadata["execution_time"]! >= 0.005);
        Assert.Null(MetadataCapture.Current);
    }

    [Fact]
    public async Task Intercept_TaskAndValueTask_Captured()
    {
        await _proxy.CleanQuietlyAsync("abc");
        var s = await _proxy.CleanValueAsync("abc");

        Assert.Equal("ABC", s);
        Single("async_void_cleaning");
        Assert.Equal("ABC", (string?)Single("value_cleaning").Metadata["result"]);
    }

    [Fact]
    public async Task Intercept_AsyncFailure_SameExceptionAndErrorEvent()
    {
        var thrown = await Assert.ThrowsAsync<InvalidDataException>(() => _proxy.FailAsync());

        Assert.Same(Preprocessor.Boom, thrown);
        Assert.Equal("corrupt", (string?)Single("failing_error").Metadata["error"]!["message"]);
    }

    [Fact]
    public void Intercept_SyncFailure_SameExceptionNotWrapped()
    {
        var thrown = Assert.Throws<InvalidDataException>(() => _proxy.Fail());

        Assert.Same(Preprocessor.Boom, thrown);
        Single("failing_sync_error");
    }

    [Fact]
    public void Intercept_MethodWithoutAttribute_PassesThroughUncaptured()
    {
        Assert.Equal(2, _proxy.NotCaptured(1));
        Assert.Empty(_storage.GetModelMetadata("my_model", null, null));
    }

    [Fact]
    public void Intercept_NotAnInterface_Throws()
    {
        Assert.Throws<ArgumentException>(() => MetadataCapture.Intercept(new Preprocessor()));
    }
}
