using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Capture;

/// <summary>
/// The <see cref="DispatchProxy"/> behind <see cref="MetadataCapture.Intercept{T}"/>. Asynchronous methods are
/// captured inside an async wrapper, so that the capture's ambient state (AsyncLocal, Activity.Current) is set
/// in the wrapper's flow and never leaks into the caller's.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy.Create needs a non-sealed proxy type.
internal class CaptureProxy : DispatchProxy
#pragma warning restore CA1852
{
    private static readonly ConcurrentDictionary<MethodInfo, CaptureMetadataAttribute?> Attributes = new();
    private static readonly ConcurrentDictionary<Type, MethodInfo> TaskWrappers = new();
    private static readonly ConcurrentDictionary<Type, MethodInfo> ValueTaskWrappers = new();
    private static readonly MethodInfo TaskOfTWrapper = typeof(CaptureProxy).GetMethod(nameof(WrapTaskOfT), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo ValueTaskOfTWrapper = typeof(CaptureProxy).GetMethod(nameof(WrapValueTaskOfT), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private object _target = null!;
    private MetadataStorage? _storage;

    internal void Initialize(object target, MetadataStorage? storage)
    {
        _target = target;
        _storage = storage;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var attribute = Attributes.GetOrAdd(targetMethod, static m => m.GetCustomAttribute<CaptureMetadataAttribute>(inherit: true));
        if (attribute is null)
        {
            return Call(targetMethod, args);
        }

        var returnType = targetMethod.ReturnType;
        if (returnType == typeof(Task))
        {
            return WrapTask(targetMethod, args, attribute);
        }
        if (returnType == typeof(ValueTask))
        {
            return WrapValueTask(targetMethod, args, attribute);
        }
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var wrapper = TaskWrappers.GetOrAdd(returnType.GetGenericArguments()[0], t => TaskOfTWrapper.MakeGenericMethod(t));
            return wrapper.Invoke(this, [targetMethod, args, attribute]);
        }
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            var wrapper = ValueTaskWrappers.GetOrAdd(returnType.GetGenericArguments()[0], t => ValueTaskOfTWrapper.MakeGenericMethod(t));
            return wrapper.Invoke(this, [targetMethod, args, attribute]);
        }

        using var capture = Start(targetMethod, args, attribute);
        try
        {
            var result = Call(targetMethod, args);
            if (attribute.CaptureResult && returnType != typeof(void))
            {
                capture.AddResult(result);
            }
            return result;
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    private async Task WrapTask(MethodInfo method, object?[]? args, CaptureMetadataAttribute attribute)
    {
        await using var capture = Start(method, args, attribute);
        try
        {
            await ((Task)Call(method, args)!).ConfigureAwait(false);
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    private async Task<T> WrapTaskOfT<T>(MethodInfo method, object?[]? args, CaptureMetadataAttribute attribute)
    {
        await using var capture = Start(method, args, attribute);
        try
        {
            var result = await ((Task<T>)Call(method, args)!).ConfigureAwait(false);
            if (attribute.CaptureResult)
            {
                capture.AddResult(result);
            }
            return result;
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    private async ValueTask WrapValueTask(MethodInfo method, object?[]? args, CaptureMetadataAttribute attribute)
    {
        await using var capture = Start(method, args, attribute);
        try
        {
            await ((ValueTask)Call(method, args)!).ConfigureAwait(false);
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    private async ValueTask<T> WrapValueTaskOfT<T>(MethodInfo method, object?[]? args, CaptureMetadataAttribute attribute)
    {
        await using var capture = Start(method, args, attribute);
        try
        {
            var result = await ((ValueTask<T>)Call(method, args)!).ConfigureAwait(false);
            if (attribute.CaptureResult)
            {
                capture.AddResult(result);
            }
            return result;
        }
        catch (Exception ex) when (capture.RecordError(ex))
        {
            throw;
        }
    }

    private MetadataCapture Start(MethodInfo method, object?[]? args, CaptureMetadataAttribute attribute)
    {
        var capture = new MetadataCapture(attribute.ModelName, attribute.Stage, attribute.EventType, _storage, attribute.Details);
        JsonObject? parameters = null;
        if (attribute.CaptureParameters)
        {
            var ps = method.GetParameters();
            var values = new List<KeyValuePair<string, object?>>(ps.Length);
            for (int i = 0; i < ps.Length; i++)
            {
                values.Add(new(ps[i].Name ?? $"arg{i}", args is not null && i < args.Length ? args[i] : null));
            }
            parameters = CapturedValues.Parameters(values);
        }
        capture.AddFunctionInfo(method.Name, _target.GetType().FullName, parameters);
        return capture;
    }

    // DoNotWrapExceptions: an exception thrown by the implementation surfaces as itself (not a
    // TargetInvocationException), so callers and Assert.Same see the original object.
    private object? Call(MethodInfo method, object?[]? args)
        => method.Invoke(_target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
}
