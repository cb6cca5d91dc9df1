// The Jupyter widget manager typesets widget labels through the MathJax 2 API
// (MathJax.Hub.Queue); the book loads MathJax 3, which has no Hub. This deferred
// script runs after MathJax and before the widgets render, and forwards such calls
// to MathJax 3.
(function () {
  var mj = window.MathJax;
  if (!mj || mj.Hub || !mj.startup) return;
  mj.Hub = {
    Queue: function () {
      Array.prototype.forEach.call(arguments, function (job) {
        var element = Array.isArray(job) ? job[2] : null;
        if (element) {
          mj.startup.promise.then(function () { return mj.typesetPromise([element]); });
        }
      });
    }
  };
})();
