using Ciaf.Server.Dashboard.Views;
using Microsoft.AspNetCore.Components;

namespace Ciaf.Server.Dashboard.Pages;

/// <summary>A dashboard page: a component rendered on the server from its <see cref="Model"/>, inside the <see cref="Chrome"/>.</summary>
/// <typeparam name="TModel">What the page shows.</typeparam>
public abstract class DashboardPage<TModel> : ComponentBase
{
    /// <summary>What the page shows.</summary>
    [Parameter, EditorRequired]
    public TModel Model { get; set; } = default!;

    /// <summary>The user and the navigation.</summary>
    [Parameter, EditorRequired]
    public DashboardChrome Chrome { get; set; } = default!;
}
