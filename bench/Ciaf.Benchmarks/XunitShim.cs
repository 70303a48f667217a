// PostgreSqlServer.cs is linked from the test project, where it is an xUnit fixture. Its one xUnit type is this
// interface, which it finds through the test project's implicit `using Xunit`: declaring both here lets the harness
// compile the file unchanged without referencing xUnit.
global using Xunit;

namespace Xunit;

/// <summary>The shape of xUnit's <c>IAsyncLifetime</c> that <c>PostgreSqlServer</c> implements.</summary>
internal interface IAsyncLifetime
{
    Task InitializeAsync();

    Task DisposeAsync();
}
